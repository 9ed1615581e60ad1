import { describe, expect, it } from "vitest";
import { enforceSafeRollingUpdate } from "../../policy/policies/enforce-safe-rolling-update";
import { deployment, edited, REMOVE, T } from "./fixtures";
import { judgeResource } from "./support/judge";
import { UNKNOWN_ON_THE_WIRE } from "./support/sdk";

const MAX_UNAVAILABLE = ["spec", "strategy", "rollingUpdate", "maxUnavailable"] as const;
const judge = (props: Record<string, unknown>, config: Record<string, unknown> = {}) => judgeResource(enforceSafeRollingUpdate, { type: T.deployment, props }, config);

describe("enforce-safe-rolling-update", () => {
  it("passes maxUnavailable 0 with a progress deadline and revision history", async () => {
    expect(await judge(deployment())).toEqual({ violations: [] });
  });

  it('passes maxUnavailable "0%"', async () => {
    expect(await judge(edited(deployment(), MAX_UNAVAILABLE, "0%"))).toEqual({ violations: [] });
  });

  it("refuses maxUnavailable 25% (staging's setting), saying capacity drops", async () => {
    expect((await judge(edited(deployment(), MAX_UNAVAILABLE, "25%"))).violations).toEqual([
      'Deployment production/user-api: strategy.rollingUpdate.maxUnavailable is "25%", so a rollout takes pods away before their replacements are ready and capacity drops. Set maxUnavailable: 0 (with maxSurge above 0).',
    ]);
  });

  it("refuses an unset maxUnavailable, which Kubernetes takes as 25%", async () => {
    const { violations } = await judge(edited(deployment(), MAX_UNAVAILABLE, REMOVE));
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain("maxUnavailable is unset (Kubernetes' default, 25%)");
  });

  it("refuses the Recreate strategy", async () => {
    const { violations } = await judge(edited(deployment(), ["spec", "strategy"], { type: "Recreate" }));
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain("uses strategy Recreate, which stops every pod before starting the new ones");
  });

  it("refuses a Deployment without progressDeadlineSeconds", async () => {
    const { violations } = await judge(edited(deployment(), ["spec", "progressDeadlineSeconds"], REMOVE));
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain("sets no progressDeadlineSeconds");
  });

  it("refuses a revisionHistoryLimit below the configured minimum", async () => {
    expect((await judge(edited(deployment(), ["spec", "revisionHistoryLimit"], 1))).violations).toEqual([
      "Deployment production/user-api keeps revisionHistoryLimit 1; 'kubectl rollout undo' needs old ReplicaSets to go back to. Set spec.revisionHistoryLimit to 2 or more.",
    ]);
    expect((await judge(deployment(), { minRevisionHistoryLimit: 11 })).violations).toHaveLength(1);
  });

  it("takes an unset revisionHistoryLimit as Kubernetes' default of 10", async () => {
    expect(await judge(edited(deployment(), ["spec", "revisionHistoryLimit"], REMOVE))).toEqual({ violations: [] });
  });

  it("tolerates a maxUnavailable preview cannot know yet", async () => {
    expect(await judge(edited(deployment(), MAX_UNAVAILABLE, UNKNOWN_ON_THE_WIRE))).toEqual({ violations: [] });
  });

  it("leaves StatefulSets alone", async () => {
    expect(await judgeResource(enforceSafeRollingUpdate, { type: T.statefulSet, props: edited(deployment(), MAX_UNAVAILABLE, "25%") })).toEqual({ violations: [] });
  });
});
