// `safe-deploy history`'s reading of the stack history: each update's config
// as the engine keeps it (`{ value, secret }` per key; test/e2e/command.test.ts
// reads the real one), the service through its strategy, and a version that
// served before told apart from one new here.
import type { UpdateSummary } from "@pulumi/pulumi/automation";
import { describe, expect, it } from "vitest";
import { serviceHistory } from "../../cli/history";
import { stackFileRaw } from "../support/stack-files";

type Entry = Pick<UpdateSummary, "version" | "kind" | "result" | "startTime" | "endTime" | "environment" | "config">;

const shipped = stackFileRaw("production")["services"] as Record<string, Record<string, unknown>>;

function entry(version: number, services: Record<string, unknown>, result: UpdateSummary["result"] = "succeeded", kind: UpdateSummary["kind"] = "update"): Entry {
  return {
    version,
    kind,
    result,
    startTime: new Date(Date.UTC(2026, 11, 3, 10, version)),
    endTime: new Date(Date.UTC(2026, 11, 3, 10, version, 30)),
    environment: { "git.author": "Ana" },
    config: { "safe-deploy:environment": { value: "production", secret: false }, "safe-deploy:services": { value: JSON.stringify(services), secret: false } },
  };
}

const userApi = (version: string) => ({ ...shipped, "user-api": { ...shipped["user-api"], version } });

describe("a service's history", () => {
  it("tells a release from a rollback to a version that served before, newest first", () => {
    const rows = serviceHistory([entry(3, userApi("v2.4.0")), entry(1, userApi("v2.4.0")), entry(2, userApi("v2.5.0"))], "user-api");
    expect(rows.map((row) => [row.update, row.version, row.change, row.by])).toEqual([
      [3, "v2.4.0", "rollback", "Ana"],
      [2, "v2.5.0", "release", "Ana"],
      [1, "v2.4.0", "release", "Ana"],
    ]);
  });

  it("does not count a failed update's version as served, nor a refresh as a change", () => {
    const rows = serviceHistory([entry(1, userApi("v2.4.0")), entry(2, userApi("v2.5.0"), "failed"), entry(3, userApi("v2.4.0"), "succeeded", "refresh"), entry(4, userApi("v2.5.0"))], "user-api");
    expect(rows.map((row) => [row.update, row.change])).toEqual([
      [4, "release"],
      [3, "unchanged"],
      [2, "release"],
      [1, "release"],
    ]);
  });

  it("reads a canary by what it brings into traffic (an abort goes back to the stable: a rollback) and a blue-green service by its live slot", () => {
    const canaryAt = (weight: number) => ({ ...shipped, "recommendation-engine": { ...shipped["recommendation-engine"], canaryWeight: weight } });
    expect(serviceHistory([entry(1, canaryAt(20)), entry(2, canaryAt(0))], "recommendation-engine").map((row) => [row.version, row.change])).toEqual([
      ["v4.0.3", "rollback"],
      ["v4.1.0", "release"],
    ]);
    const blueLive = { ...shipped, "payment-service": { ...shipped["payment-service"], liveSlot: "blue" } };
    expect(serviceHistory([entry(1, shipped), entry(2, blueLive)], "payment-service").map((row) => [row.version, row.previousVersion, row.change])).toEqual([
      ["v3.1.0", "v3.2.0", "release"],
      ["v3.2.0", "v3.1.0", "release"],
    ]);
  });

  it("numbers updates by their place in the history where the backend numbers none", () => {
    const unnumbered = [entry(0, userApi("v2.4.0")), entry(0, userApi("v2.5.0"))];
    expect(serviceHistory(unnumbered, "user-api").map((row) => [row.update, row.version, row.change])).toEqual([
      [2, "v2.4.0", "release"],
      [1, "v2.5.0", "release"],
    ]);
  });

  it("says a service is absent where an update's config lacks it or does not read", () => {
    const { ["user-api"]: _gone, ...without } = shipped;
    const broken = { ...shipped, "user-api": { ...shipped["user-api"], replicas: "five" } };
    expect(serviceHistory([entry(1, without), entry(2, broken)], "user-api").map((row) => [row.version, row.change])).toEqual([
      [null, "absent"],
      [null, "absent"],
    ]);
  });
});
