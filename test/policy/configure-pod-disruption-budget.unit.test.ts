import { describe, expect, it } from "vitest";
import { configurePodDisruptionBudget } from "../../policy/policies/configure-pod-disruption-budget";
import { deployment, edited, pdb, T } from "./fixtures";
import { judgeStack, type StackInput } from "./support/judge";
import { UNKNOWN_ON_THE_WIRE } from "./support/sdk";

const userApi = (replicas = 5): StackInput => ({ type: T.deployment, props: deployment({ replicas }), urn: "urn:deployment:user-api" });
const budget = (matchLabels: Record<string, string> = { app: "user-api" }): StackInput => ({ type: T.pdb, props: pdb("user-api", matchLabels) });
const judge = (...inputs: StackInput[]) => judgeStack(configurePodDisruptionBudget, inputs);

describe("configure-pod-disruption-budget", () => {
  it("passes a Deployment of 5 whose pods a PodDisruptionBudget selects", async () => {
    expect(await judge(userApi(), budget())).toEqual({ violations: [], urns: [] });
  });

  it("refuses a Deployment of 5 without one, on the Deployment's URN", async () => {
    expect(await judge(userApi())).toEqual({
      violations: [
        "Deployment production/user-api runs 5 replicas but no PodDisruptionBudget selects its pods, so a node drain or a cluster upgrade may evict them all at once. " +
          "Add a PodDisruptionBudget in its namespace (e.g. maxUnavailable: 1) whose selector matches the pod template's labels.",
      ],
      urns: ["urn:deployment:user-api"],
    });
  });

  it("refuses a budget that selects other pods", async () => {
    expect((await judge(userApi(), budget({ app: "payment-service" }))).violations).toHaveLength(1);
  });

  it("refuses a budget in another namespace", async () => {
    expect((await judge(userApi(), { type: T.pdb, props: edited(pdb("user-api", { app: "user-api" }), ["metadata", "namespace"], "staging") })).violations).toHaveLength(1);
  });

  it("evaluates matchExpressions as Kubernetes does", async () => {
    const byExpression = edited(pdb("user-api", {}), ["spec", "selector"], { matchExpressions: [{ key: "app", operator: "In", values: ["user-api", "web"] }] });
    expect((await judge(userApi(), { type: T.pdb, props: byExpression })).violations).toEqual([]);
    const excluding = edited(byExpression, ["spec", "selector", "matchExpressions", 0, "operator"], "NotIn");
    expect((await judge(userApi(), { type: T.pdb, props: excluding })).violations).toHaveLength(1);
  });

  it("asks nothing of a single pod, which a budget would keep from ever being drained", async () => {
    expect((await judge(userApi(1))).violations).toEqual([]);
  });

  it("tolerates a budget selector preview cannot know yet", async () => {
    expect((await judge(userApi(), { type: T.pdb, props: edited(pdb("user-api", {}), ["spec", "selector"], UNKNOWN_ON_THE_WIRE) })).violations).toEqual([]);
  });
});
