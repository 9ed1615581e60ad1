import { describe, expect, it } from "vitest";
import { CANARY_STEPS_DEFAULTS, enforceCanarySteps, largestNextShare } from "../../policy/policies/enforce-canary-steps";
import { deployment, edited, httpRoute, releasedFrom, reportOf, service, stackOutputs, T } from "./fixtures";
import { judgeStack, type StackInput } from "./support/judge";
import { UNKNOWN_ON_THE_WIRE } from "./support/sdk";

const CANARY_URN = "urn:deployment:recommendation-engine-canary";

/** recommendation-engine with `canary` of `total` replicas on the canary track (v4.1.0). */
function tracks(canary: number, total = 10): StackInput[] {
  return [
    { type: T.deployment, props: deployment({ service: "recommendation-engine", variant: "stable", version: "v4.0.3", replicas: total - canary }) },
    {
      type: T.deployment,
      urn: CANARY_URN,
      props: deployment({ service: "recommendation-engine", name: "recommendation-engine-canary", variant: "canary", version: "v4.1.0", replicas: canary }),
    },
  ];
}

/** The record of the canary's release: before it, the canary (`version`) was at `weight` percent. */
const wasAt = (weight: number, version = "v4.1.0") =>
  releasedFrom({ "recommendation-engine": reportOf("recommendation-engine", { strategy: "canary", stableVersion: "v4.0.3", canaryVersion: version, canaryWeight: weight, replicas: 10, httpRoute: { gatewayName: "public" } }) });
const judge = (inputs: StackInput[], config: Record<string, unknown> = {}) => judgeStack(enforceCanarySteps, [stackOutputs({}), ...inputs], config);

describe("enforce-canary-steps", () => {
  it.each([
    [0, 25],
    [10, 25],
    [20, 25],
    [25, 50],
    [50, 100],
    [100, 100],
  ])("from %s%% a canary moves to at most %s%% (default steps)", (from, to) => {
    expect(largestNextShare(from, CANARY_STEPS_DEFAULTS)).toBe(to);
  });

  it("passes a first step of 20% (2 of 10 pods)", async () => {
    expect((await judge([...tracks(2), wasAt(0)])).violations).toEqual([]);
  });

  it("refuses a first step of 50%, on the canary Deployment's URN", async () => {
    expect(await judge([...tracks(5), wasAt(0)])).toEqual({
      violations: [
        "Deployment production/recommendation-engine-canary takes 50% of the traffic (by the replica ratio) as its first step; a first step takes at most 25%, " +
          "so a bad version would meet more users than the rollout plan allows before anyone has looked at it. " +
          "Step to at most 25% (in safe-deploy: services.recommendation-engine.canaryWeight), or abort with 0.",
      ],
      urns: [CANARY_URN],
    });
  });

  it("passes the next step (25% to 50%) and refuses skipping one (20% to 50%, past 25%)", async () => {
    expect((await judge([...tracks(5), wasAt(20)])).violations).toHaveLength(1);
    expect((await judge([...tracks(5), wasAt(25)])).violations).toEqual([]);
  });

  it("refuses jumping past the next step, naming both shares", async () => {
    const { violations } = await judge([...tracks(10, 10), wasAt(25)]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain("moves from 25% to 100% of the traffic (by the replica ratio), past the next step, 50%");
  });

  it("uses the configured steps", async () => {
    expect((await judge([...tracks(3), wasAt(10)], { steps: [10, 30, 50, 100] })).violations).toEqual([]);
    expect((await judge([...tracks(3), wasAt(10)])).violations).toHaveLength(1);
  });

  it("always allows holding, stepping back and aborting to 0", async () => {
    expect((await judge([...tracks(5), wasAt(50)])).violations).toEqual([]);
    expect((await judge([...tracks(1), wasAt(50)])).violations).toEqual([]);
    expect((await judge([...tracks(0), wasAt(50)])).violations).toEqual([]);
  });

  it("starts a new canary version over at the first step", async () => {
    expect((await judge([...tracks(5), wasAt(50, "v4.0.9")])).violations).toHaveLength(1);
  });

  it("judges HTTPRoute weights, not the replica ratio, where a route weighs the tracks", async () => {
    const routed = (canaryWeight: number): StackInput[] => [
      { type: T.service, props: service("recommendation-engine-stable", { app: "recommendation-engine", version: "stable" }) },
      { type: T.service, props: service("recommendation-engine-canary", { app: "recommendation-engine", version: "canary" }) },
      {
        type: T.httpRoute,
        props: httpRoute("recommendation-engine", [
          { name: "recommendation-engine-stable", weight: 100 - canaryWeight },
          { name: "recommendation-engine-canary", weight: canaryWeight },
        ]),
      },
    ];
    // 2 of 10 pods, but the route sends 60% to the canary.
    const { violations } = await judge([...tracks(2), ...routed(60), wasAt(0)]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain("takes 60% of the traffic (by the HTTPRoute's weights) as its first step");
    expect((await judge([...tracks(2), ...routed(20), wasAt(0)])).violations).toEqual([]);
  });

  it("says it cannot tell without a record of the last outputs", async () => {
    expect((await judge(tracks(2))).notApplicable).toContain("the share each canary had before its release is not known");
  });

  it("tolerates replicas preview cannot know yet", async () => {
    const [stable, canary] = tracks(5);
    const unknown = { ...canary!, props: edited(canary!.props, ["spec", "replicas"], UNKNOWN_ON_THE_WIRE) };
    expect((await judge([stable!, unknown, wasAt(0)])).violations).toEqual([]);
  });
});
