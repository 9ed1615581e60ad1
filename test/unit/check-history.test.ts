// What the checks remember between updates: the versions that served, and
// whether the target verify checks is a rollback (one round), decided once
// per target so an unchanged `up` keeps the same step.
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../config/load";
import type { BlueGreenServiceConfig, CanaryServiceConfig, ServiceConfig } from "../../config/schema";
import { nextCheckHistory, recordedCheckHistory, SERVED_KEPT, type CheckHistory } from "../../lib/check-history";
import { editedRaw } from "../support/run-program";

const shipped = (name: string): ServiceConfig => {
  const found = parseStackConfig(editedRaw("production")).services.find((s) => s.name === name);
  if (found === undefined) throw new Error(name);
  return found;
};
const payment = (liveSlot: "blue" | "green"): BlueGreenServiceConfig => ({ ...(shipped("payment-service") as BlueGreenServiceConfig), liveSlot });

describe("nextCheckHistory", () => {
  it("calls a release to a version that never served here a release, and records it as served", () => {
    const after = nextCheckHistory(payment("green"), { target: "blue v3.1.0", version: "v3.1.0", rollback: false, served: ["v3.1.0"] });
    expect(after).toEqual({ target: "green v3.2.0", version: "v3.2.0", rollback: false, served: ["v3.1.0", "v3.2.0"] });
  });

  it("calls going back to a version that served a rollback", () => {
    const after = nextCheckHistory(payment("blue"), { target: "green v3.2.0", version: "v3.2.0", rollback: false, served: ["v3.1.0", "v3.2.0"] });
    expect(after).toMatchObject({ target: "blue v3.1.0", rollback: true, served: ["v3.2.0", "v3.1.0"] });
  });

  it("keeps the decision while the target stays the same, whichever it was", () => {
    for (const rollback of [true, false]) {
      const before: CheckHistory = { target: "blue v3.1.0", version: "v3.1.0", rollback, served: ["v3.2.0", "v3.1.0"] };
      expect(nextCheckHistory(payment("blue"), before)).toEqual(before);
    }
  });

  it("knows nothing without a previous history: a release, full window", () => {
    expect(nextCheckHistory(payment("blue"), undefined)).toMatchObject({ rollback: false, served: ["v3.1.0"] });
  });

  it("counts a canary's version as served only while it takes traffic, and has no target at weight 0", () => {
    const canary = shipped("recommendation-engine") as CanaryServiceConfig;
    expect(nextCheckHistory(canary, undefined)).toMatchObject({ target: "canary v4.1.0", served: ["v4.0.3", "v4.1.0"] });
    const aborted = { ...canary, canaryWeight: 0 };
    expect(nextCheckHistory(aborted, undefined)).toBeUndefined();
    const before: CheckHistory = { target: "canary v4.1.0", version: "v4.1.0", rollback: false, served: ["v4.0.3", "v4.1.0"] };
    expect(nextCheckHistory(aborted, before)).toEqual({ ...before, served: ["v4.1.0", "v4.0.3"] });
  });

  it(`keeps the last ${SERVED_KEPT} versions`, () => {
    const served = Array.from({ length: SERVED_KEPT }, (_, i) => `v1.0.${i}`);
    const after = nextCheckHistory(payment("green"), { target: "blue v3.1.0", version: "v3.1.0", rollback: false, served });
    expect(after?.served).toHaveLength(SERVED_KEPT);
    expect(after?.served.at(-1)).toBe("v3.2.0");
  });
});

describe("recordedCheckHistory", () => {
  it("reads a well-formed entry and ignores anything else", () => {
    const entry = { target: "green v3.2.0", version: "v3.2.0", rollback: false, served: ["v3.2.0"] };
    expect(recordedCheckHistory({ "payment-service": entry }, "payment-service")).toEqual(entry);
    expect(recordedCheckHistory(undefined, "payment-service")).toBeUndefined();
    expect(recordedCheckHistory({ "payment-service": { ...entry, served: "v3.2.0" } }, "payment-service")).toBeUndefined();
    expect(recordedCheckHistory({ "payment-service": { ...entry, rollback: "no" } }, "payment-service")).toBeUndefined();
  });
});
