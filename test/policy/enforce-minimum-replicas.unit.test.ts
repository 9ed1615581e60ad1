import { describe, expect, it } from "vitest";
import { enforceMinimumReplicas } from "../../policy/policies/enforce-minimum-replicas";
import { deployment, edited, REMOVE, T } from "./fixtures";
import { judgeResource } from "./support/judge";
import { UNKNOWN_ON_THE_WIRE } from "./support/sdk";

const judge = (props: Record<string, unknown>, config: Record<string, unknown> = {}, type: string = T.deployment) => judgeResource(enforceMinimumReplicas, { type, props }, config);

describe("enforce-minimum-replicas", () => {
  it("passes a Deployment with 5 replicas", async () => {
    expect(await judge(deployment())).toEqual({ violations: [] });
  });

  it("refuses 1 replica, naming the stack config key that fixes it", async () => {
    expect((await judge(deployment({ replicas: 1 }))).violations).toEqual([
      "Deployment production/user-api runs 1 replica; at least 2 are required, so that losing one pod (a node drain, a crash) does not take the service down. " +
        "Raise spec.replicas to 2 or more (in safe-deploy: services.user-api.replicas).",
    ]);
  });

  it("takes an absent spec.replicas as Kubernetes' default of 1", async () => {
    expect((await judge(edited(deployment(), ["spec", "replicas"], REMOVE))).violations).toHaveLength(1);
  });

  it("uses the configured minimum", async () => {
    expect((await judge(deployment(), { minReplicas: 6 })).violations).toEqual([
      "Deployment production/user-api runs 5 replicas; at least 6 are required, so that losing one pod (a node drain, a crash) does not take the service down. " +
        "Raise spec.replicas to 6 or more (in safe-deploy: services.user-api.replicas).",
    ]);
  });

  it("exempts a Deployment scaled to 0 on purpose (a retired standby)", async () => {
    expect(await judge(deployment({ service: "payment-service", name: "payment-service-blue", variant: "blue", replicas: 0 }))).toEqual({ violations: [] });
  });

  it("exempts a canary track, whose pods add to the stable track's", async () => {
    expect(await judge(deployment({ service: "recommendation-engine", name: "recommendation-engine-canary", variant: "canary", replicas: 1 }))).toEqual({ violations: [] });
  });

  it("holds a stable track to the minimum on its own", async () => {
    expect((await judge(deployment({ service: "recommendation-engine", variant: "stable", replicas: 1 }))).violations).toHaveLength(1);
  });

  it("applies to StatefulSets", async () => {
    expect((await judge(deployment({ replicas: 1 }), {}, T.statefulSet)).violations).toHaveLength(1);
  });

  it("tolerates replicas preview cannot know yet", async () => {
    expect(await judge(edited(deployment(), ["spec", "replicas"], UNKNOWN_ON_THE_WIRE))).toEqual({ violations: [] });
  });
});
