import { describe, expect, it } from "vitest";
import { enforceRollbackTarget } from "../../policy/policies/enforce-rollback-target";
import { releasedFrom, reportOf, stackOutputs } from "./fixtures";
import { judgeStack } from "./support/judge";
import { UNKNOWN_ON_THE_WIRE } from "./support/sdk";

/** user-api's output as the program writes it: `previousVersion` is its rollback target. */
const userApi = (version: string, previousVersion: string | null) => ({
  "user-api": reportOf("user-api", { strategy: "rolling", version, replicas: 5, ...(previousVersion === null ? {} : { previousVersion }) }),
});
const judge = (...inputs: Parameters<typeof judgeStack>[1]) => judgeStack(enforceRollbackTarget, inputs);

describe("enforce-rollback-target", () => {
  it("passes a release with a rollback target", async () => {
    expect((await judge(stackOutputs(userApi("v2.4.0", "v2.3.1")), releasedFrom(userApi("v2.3.1", null)))).violations).toEqual([]);
  });

  it("refuses a release without one, saying how to give it one", async () => {
    expect((await judge(stackOutputs(userApi("v2.4.0", null)), releasedFrom(userApi("v2.3.1", null)))).violations).toEqual([
      "Service 'user-api' has no rollback target (services.user-api.rollbackTarget is empty) and its release brings v2.4.0 into traffic: if the new version misbehaves there is no one-command way back. " +
        "Fix: set previousVersion to the version that ran before (in safe-deploy: services.user-api).",
    ]);
  });

  it("passes a service the update leaves as it was", async () => {
    expect((await judge(stackOutputs(userApi("v2.4.0", null)), releasedFrom(userApi("v2.4.0", null)))).violations).toEqual([]);
  });

  it("passes a service deployed for the first time: there is nothing to go back to", async () => {
    expect((await judge(stackOutputs(userApi("v2.4.0", null)), releasedFrom({ "user-api": { live: null } }))).violations).toEqual([]);
  });

  it("refuses a service without a target when the stack keeps no record of what ran before", async () => {
    const { violations } = await judge(stackOutputs(userApi("v2.4.0", null)));
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain("the stack keeps no record of what served before (a DeploymentRecord with `from`), so its release may bring a new version into traffic");
  });

  it("refuses the same without a target when the record predates `from`", async () => {
    expect((await judge(stackOutputs(userApi("v2.4.0", null)), releasedFrom(undefined))).violations).toHaveLength(1);
  });

  it("passes an aborted canary: its traffic goes back to the stable version, which served before", async () => {
    const report = (weight: number) => reportOf("recommendation-engine", { strategy: "canary", stableVersion: "v4.0.3", canaryVersion: "v4.1.0", canaryWeight: weight, replicas: 10 });
    const canary = (weight: number) => report(weight).live;
    // At 20% the program always names the stable track; an output without it (another program's) is judged all the same.
    const engine = (weight: number, rollbackTarget: null) => ({ "recommendation-engine": { ...report(weight), rollbackTarget, rollback: null } });

    expect((await judge(stackOutputs(engine(0, null)), releasedFrom({ "recommendation-engine": { live: canary(20) } }))).violations).toEqual([]);
    expect((await judge(stackOutputs(engine(20, null)), releasedFrom({ "recommendation-engine": { live: canary(0) } }))).violations).toHaveLength(1);
  });

  it("tolerates a rollback target preview cannot know yet", async () => {
    const unknownTarget = { "user-api": { ...userApi("v2.4.0", null)["user-api"], rollbackTarget: UNKNOWN_ON_THE_WIRE } };
    expect((await judge(stackOutputs(unknownTarget), releasedFrom(userApi("v2.3.1", null)))).violations).toEqual([]);
  });

  it("is not applicable to a stack without a services output", async () => {
    expect((await judge({ ...stackOutputs({}), props: {} })).notApplicable).toContain("no `services` output");
  });
});
