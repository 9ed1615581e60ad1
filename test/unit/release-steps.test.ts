// Each strategy's release steps, from the shipped production stack: the
// updates that take a service to a new version, in order, as config keys.
import { describe, expect, it } from "vitest";
import { defaultCanaryAnalysis } from "../../config/canary-analysis";
import { parseStackConfig } from "../../config/load";
import { strategyOf, type ServiceConfig } from "../../strategies/registry";
import { editedRaw, type StackEdit } from "../support/run-program";

const PRODUCTION_STEPS = { canarySteps: [10, 30, 50, 100] };

function service(name: string, edit: StackEdit = () => {}): ServiceConfig {
  const found = parseStackConfig(editedRaw("production", edit)).services.find((s) => s.name === name);
  if (found === undefined) throw new Error(`no ${name} in the production stack`);
  return found;
}

/** The production stack's recommendation-engine sets no `analysis`: every default. */
const analysis = defaultCanaryAnalysis();

const stepsTo = (spec: ServiceConfig, version: string) => strategyOf(spec).releaseSteps(spec, version, PRODUCTION_STEPS);

describe("release steps", () => {
  it("rolls user-api out in one update, keeping the version it ran as the rollback target", () => {
    expect(stepsTo(service("user-api"), "v2.5.0")).toEqual([
      { what: "roll out v2.5.0, keeping v2.4.0 as the rollback target", set: { version: "v2.5.0", previousVersion: "v2.4.0" } },
    ]);
  });

  it("puts payment-service's version on the idle slot and switches in one update, the standby kept", () => {
    const retired = service("payment-service", (raw) => (raw.services["payment-service"]!["retireStandby"] = true));
    expect(stepsTo(retired, "v3.3.0")).toEqual([
      { what: "put v3.3.0 on the idle slot blue and switch traffic to it, keeping green (v3.2.0) as the standby", set: { blueVersion: "v3.3.0", liveSlot: "blue", retireStandby: false } },
    ]);
  });

  it("steps a new canary through every share, each judged by the canary analysis before the next, then promotes it", () => {
    const promoted = service("recommendation-engine", (raw) => {
      const engine = raw.services["recommendation-engine"]!;
      engine["stableVersion"] = "v4.1.0";
      engine["canaryWeight"] = 0;
      delete engine["canaryVersion"];
    });
    expect(stepsTo(promoted, "v4.2.0")).toEqual([
      { what: "v4.2.0 as the canary at 10% of the traffic", set: { canaryVersion: "v4.2.0", canaryWeight: 10 }, analysis },
      { what: "v4.2.0 as the canary at 30% of the traffic", set: { canaryVersion: "v4.2.0", canaryWeight: 30 }, analysis },
      { what: "v4.2.0 as the canary at 50% of the traffic", set: { canaryVersion: "v4.2.0", canaryWeight: 50 }, analysis },
      { what: "promote v4.2.0: the stable track runs it, the canary track goes to 0", set: { stableVersion: "v4.2.0", canaryWeight: 0 }, remove: ["canaryVersion"] },
    ]);
  });

  it("goes on from the share a canary of the same version has (judged there again first), and starts another version over", () => {
    const atTwenty = service("recommendation-engine");
    const goingOn = stepsTo(atTwenty, "v4.1.0");
    expect(goingOn.map((step) => step.set["canaryWeight"])).toEqual([20, 30, 50, 0]);
    expect(goingOn[0]).toEqual({ what: "go on with v4.1.0 as the canary at 20% of the traffic, where the release had reached", set: { canaryVersion: "v4.1.0", canaryWeight: 20 }, analysis });
    expect(stepsTo(atTwenty, "v4.2.0").map((step) => step.set["canaryWeight"])).toEqual([10, 30, 50, 0]);
  });

  it.each([
    ["user-api", "v2.4.0"],
    ["payment-service", "v3.2.0"],
    ["recommendation-engine", "v4.0.3"],
  ])("has nothing to do for %s, which serves %s already", (name, version) => {
    expect(stepsTo(service(name), version)).toEqual([]);
  });
});

describe("retiring what a release kept for an instant way back", () => {
  const retireOf = (spec: ServiceConfig) => strategyOf(spec).retireStep(spec);

  it("scales payment-service's standby slot down by its own update, once", () => {
    expect(retireOf(service("payment-service"))).toEqual({ step: { what: "scale the standby slot blue (v3.1.0) down to 0", set: { retireStandby: true } } });
    expect(retireOf(service("payment-service", (raw) => (raw.services["payment-service"]!["retireStandby"] = true)))).toEqual({ nothing: "its standby slot blue is retired already (retireStandby is true)" });
  });

  it.each([
    ["user-api", "a rolling service keeps no standby: its previous version comes back by a rollout"],
    ["recommendation-engine", "a canary service keeps no standby: its stable track serves throughout"],
  ])("has nothing to retire for %s", (name, why) => {
    expect(retireOf(service(name))).toEqual({ nothing: why });
  });
});

describe("a version taken back, and a canary held", () => {
  const abortedCanary = service("recommendation-engine", (raw) => (raw.services["recommendation-engine"]!["canaryWeight"] = 0));

  it("refuses to release again a canary version that was taken out of traffic, and nothing else", () => {
    const spec = abortedCanary;
    expect(strategyOf(spec).releaseRefusal(spec, "v4.1.0")).toMatch(/^the canary v4\.1\.0 of recommendation-engine was taken out of traffic .* --again "why"$/);
    expect(strategyOf(spec).releaseRefusal(spec, "v4.2.0")).toBeUndefined();
    const inTraffic = service("recommendation-engine");
    expect(strategyOf(inTraffic).releaseRefusal(inTraffic, "v4.1.0")).toBeUndefined();
    for (const name of ["user-api", "payment-service"]) expect(strategyOf(service(name)).releaseRefusal(service(name), "v9.0.0")).toBeUndefined();
  });

  it("marks a canary taken back by its version at weight 0: what the refusal reads", () => {
    const spec = service("recommendation-engine");
    const marks = strategyOf(spec).takenBackKeys("v4.1.0");
    expect(marks).toEqual({ canaryVersion: "v4.1.0", canaryWeight: 0 });
    expect(strategyOf(spec).releaseRefusal({ ...spec, ...marks } as ServiceConfig, "v4.1.0")).toBeDefined();
  });

  it("promotes or aborts a canary in traffic by hand; nothing to act on otherwise", () => {
    const spec = service("recommendation-engine");
    expect(strategyOf(spec).heldCanary(spec)).toEqual({
      version: "v4.1.0",
      promote: { what: "promote v4.1.0: the stable track runs it, the canary track goes to 0", set: { stableVersion: "v4.1.0", canaryWeight: 0 }, remove: ["canaryVersion"] },
      abort: { what: "abort the canary v4.1.0: out of traffic, the stable v4.0.3 serves it all", set: { canaryVersion: "v4.1.0", canaryWeight: 0 } },
    });
    expect(strategyOf(abortedCanary).heldCanary(abortedCanary)).toEqual({ nothing: "no canary of recommendation-engine takes traffic (canaryWeight 0)" });
    expect(strategyOf(service("user-api")).heldCanary(service("user-api"))).toEqual({ nothing: "a rolling service has no canary to promote or abort: safe-deploy rollback takes a release back" });
  });
});
