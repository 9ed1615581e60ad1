import { describe, expect, it } from "vitest";
import { configureHealthProbes } from "../../policy/policies/configure-health-probes";
import { deployment, edited, migrationJob, REMOVE, T } from "./fixtures";
import { judgeResource } from "./support/judge";
import { UNKNOWN_ON_THE_WIRE } from "./support/sdk";

const CONTAINER = ["spec", "template", "spec", "containers", 0] as const;
const judge = (props: Record<string, unknown>, type: string = T.deployment) => judgeResource(configureHealthProbes, { type, props });

describe("configure-health-probes", () => {
  it("passes a Deployment whose container has both probes", async () => {
    expect(await judge(deployment())).toEqual({ violations: [] });
  });

  it("refuses a container without a readiness probe, saying what goes wrong", async () => {
    const { violations } = await judge(edited(deployment(), [...CONTAINER, "readinessProbe"], REMOVE));
    expect(violations).toEqual([
      "Deployment production/user-api, container 'user-api': no readinessProbe; without a readiness probe a pod gets traffic before it can answer and a rollout does not wait for it. " +
        "Add readinessProbe (e.g. httpGet on the health path).",
    ]);
  });

  it("refuses a container without a liveness probe", async () => {
    const { violations } = await judge(edited(deployment(), [...CONTAINER, "livenessProbe"], REMOVE));
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain("no livenessProbe; without a liveness probe a hung process keeps its share of traffic");
  });

  it("applies to a StatefulSet as well", async () => {
    const { violations } = await judge(edited(deployment(), [...CONTAINER, "readinessProbe"], REMOVE), T.statefulSet);
    expect(violations).toHaveLength(1);
  });

  it("leaves a migration Job alone: it serves nothing", async () => {
    expect(await judge(migrationJob(), T.job)).toEqual({ violations: [] });
  });

  it("tolerates a container list preview cannot know yet", async () => {
    expect(await judge(edited(deployment(), ["spec", "template", "spec", "containers"], UNKNOWN_ON_THE_WIRE))).toEqual({ violations: [] });
  });
});
