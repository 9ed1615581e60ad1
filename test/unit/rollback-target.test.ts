// `safe-deploy rollback --to`: which earlier update's config a target names,
// and the `--path` changes that bring today's config back to it. History
// entries have the engine's shape (test/e2e/command.test.ts reads real ones).
import type { UpdateSummary } from "@pulumi/pulumi/automation";
import { describe, expect, it } from "vitest";
import { configChanges, earlierConfig } from "../../cli/rollback-target";
import { stackFileRaw } from "../support/stack-files";

const shipped = stackFileRaw("production")["services"] as Record<string, Record<string, unknown>>;
type Entry = Pick<UpdateSummary, "version" | "kind" | "result" | "config">;

function entry(version: number, userApi: Record<string, unknown>, result: UpdateSummary["result"] = "succeeded"): Entry {
  return { version, kind: "update", result, config: { "safe-deploy:services": { value: JSON.stringify({ ...shipped, "user-api": { ...shipped["user-api"], ...userApi } }), secret: false } } };
}

const history = [entry(3, { version: "v2.6.0" }, "failed"), entry(2, { version: "v2.5.0", replicas: 7 }), entry(1, { version: "v2.4.0" })];

describe("the config an earlier update had", () => {
  it("is found by update number or by the version it brought into traffic, newest first", () => {
    expect(earlierConfig(history, "user-api", "1")).toMatchObject({ update: 1, version: "v2.4.0" });
    expect(earlierConfig(history, "user-api", "v2.5.0")).toMatchObject({ update: 2, version: "v2.5.0", raw: { replicas: 7 } });
  });

  it("is refused, saying why, for a failed update, a version that never served, or no such update", () => {
    expect(() => earlierConfig(history, "user-api", "3")).toThrow("update 3 did not succeed (update: failed): only a succeeded update's version served");
    expect(() => earlierConfig(history, "user-api", "v9.9.9")).toThrow("no succeeded update of the stack history brought user-api v9.9.9 into traffic");
    expect(() => earlierConfig(history, "user-api", "7")).toThrow("the stack history has no update 7");
  });
});

describe("the changes back to it", () => {
  it("sets what differs and removes what was not there, leaf by leaf, lists by index", () => {
    const now = { version: "v2.5.0", previousVersion: "v2.4.0", replicas: 7, migration: { command: ["./migrate", "up", "--fast"], kind: "expand" } };
    const then = { version: "v2.4.0", replicas: 5, migration: { command: ["./migrate", "up"], kind: "expand" } };
    expect(configChanges(now, then)).toEqual({ set: { version: "v2.4.0", replicas: "5" }, remove: ["migration.command[2]", "previousVersion"] });
  });

  it("is nothing for the same config", () => {
    expect(configChanges(shipped["user-api"], shipped["user-api"])).toEqual({ set: {}, remove: [] });
  });
});
