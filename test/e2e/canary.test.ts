// Canary: each weight step changes the replica split (and, with exact weights,
// the HTTPRoute's backend weights); in production a step never has fewer
// ready pods than `replicas`; the quick and the Pulumi-native rollback, run as
// printed on a freshly deployed stack, leave no canary pods; promotion moves
// stable to the canary's version. Each test deploys the state it starts from,
// so any one runs alone (-t).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SLOW_READY_POD_LABEL } from "../../tools/cluster/stages";
import { runCommandLine } from "../../tools/rehearsal/command-line";
import type { EngineStack } from "../../tools/rehearsal/engine";
import { apis, changes, routeWeights, deploymentImage, eventually, freshProduction, runningPods, stackOutputs, startE2e, stopE2e, toolchain, upWith, UP_TIMEOUT_MS, type E2eContext } from "./support";

const SERVICE = "recommendation-engine";
const key = (field: string) => `services.${SERVICE}.${field}`;
/** The release under test: v4.1.0 beside v4.0.3 on exact weights. */
const CANARY = { [key("stableVersion")]: "v4.0.3", [key("canaryVersion")]: "v4.1.0", [key("httpRoute.gatewayName")]: "public" };

describe.skipIf(!toolchain.ok)("canary of recommendation-engine", () => {
  let context: E2eContext | undefined;

  const pods = (namespace: string, track: string) => runningPods(context!.kc, namespace, `app=${SERVICE},version=${track}`);
  const weights = (namespace: string) => routeWeights(context!.kc, namespace, SERVICE);
  /** Ready pods of the service that are not being deleted: what the Service can send traffic to. */
  const readyPods = async (namespace: string): Promise<number> => {
    const list = await (await apis(context!.kc)).core.listNamespacedPod({ namespace, labelSelector: `app=${SERVICE}` });
    return list.items.filter(
      (pod) => pod.metadata?.deletionTimestamp === undefined && pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
    ).length;
  };

  beforeAll(async () => {
    context = await startE2e("canary");
  }, UP_TIMEOUT_MS);
  afterAll(() => stopE2e(context), 60_000);

  describe("weight steps with exact weights", () => {
    let engine: EngineStack;
    beforeAll(async () => {
      engine = await freshProduction(context!, SERVICE, "canary-steps", { ...CANARY, [key("canaryWeight")]: 10 });
    }, UP_TIMEOUT_MS);

    it.each([
      [10, 9, 1],
      [30, 7, 3],
      [50, 5, 5],
    ])("at weight %i runs %i stable and %i canary pods and weighs the route the same", async (weight, stable, canary) => {
      await upWith(engine, { ...CANARY, [key("canaryWeight")]: weight });
      await eventually(`${stable}/${canary} pods`, async () => (await pods("canary-steps", "stable")).length === stable && (await pods("canary-steps", "canary")).length === canary);
      expect(await weights("canary-steps")).toEqual([100 - weight, weight]);
    }, UP_TIMEOUT_MS);

    it("aborts at weight 0: all pods stable, none canary", async () => {
      await upWith(engine, { ...CANARY, [key("canaryWeight")]: 0 });
      await eventually("10 stable, 0 canary", async () => (await pods("canary-steps", "stable")).length === 10 && (await pods("canary-steps", "canary")).length === 0);
      expect(await weights("canary-steps")).toEqual([100, 0]);
    }, UP_TIMEOUT_MS);

    it("promotes: stable runs the canary's version and the canary track is gone", async () => {
      await upWith(engine, { ...CANARY, [key("canaryWeight")]: 20 });

      await upWith(engine, { [key("stableVersion")]: "v4.1.0", [key("canaryWeight")]: 0 }, [key("canaryVersion")]);

      expect(await deploymentImage(context!.kc, "canary-steps", SERVICE)).toBe("registry.example.com/shop/recommendation-engine:v4.1.0");
      const deployments = await (await apis(context!.kc)).apps.listNamespacedDeployment({ namespace: "canary-steps" });
      expect(deployments.items.map((d) => d.metadata?.name)).toEqual([SERVICE]);
      await eventually("10 stable pods", async () => (await pods("canary-steps", "stable")).length === 10);
    }, UP_TIMEOUT_MS);
  });

  it("leaves no canary pods and no canary weight after the quick command as printed", async () => {
    const engine = await freshProduction(context!, SERVICE, "canary-quick", { [key("httpRoute.gatewayName")]: "public" });
    const plan = (await stackOutputs(engine)).services[SERVICE]!.rollback!;

    await runCommandLine(plan.quick, engine);

    expect(await weights("canary-quick")).toEqual([100, 0]);
    await eventually("no canary pods", async () => (await pods("canary-quick", "canary")).length === 0);
    const [verify] = await runCommandLine(plan.verify, engine);
    expect(verify?.stdout.trim()).toBe("");
  }, UP_TIMEOUT_MS);

  it("leaves no canary pods after the Pulumi-native command as printed, and no drift", async () => {
    const engine = await freshProduction(context!, SERVICE, "canary-native");
    const plan = (await stackOutputs(engine)).services[SERVICE]!.rollback!;

    await runCommandLine(plan.pulumi, engine);

    await eventually("no canary pods", async () => (await pods("canary-native", "canary")).length === 0);
    expect(await pods("canary-native", "stable")).toHaveLength(10);
    expect(changes((await engine.stack.preview({ color: "never" })).changeSummary)).toEqual({});
  }, UP_TIMEOUT_MS);

  it("never has fewer ready pods than replicas through a step up and an abort, with pods slow to become ready", async () => {
    const slow = { [key(`podLabels["${SLOW_READY_POD_LABEL}"]`)]: "true" };
    const engine = await freshProduction(context!, SERVICE, "canary-capacity", { ...slow, [key("canaryWeight")]: 10 });
    await eventually("10 ready pods", async () => (await readyPods("canary-capacity")) === 10);
    const samples: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push(await readyPods("canary-capacity"));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    try {
      await upWith(engine, { ...slow, [key("canaryWeight")]: 30 });
      await upWith(engine, { ...slow, [key("canaryWeight")]: 0 });
    } finally {
      sampling = false;
      await sampler;
    }

    expect(samples.length).toBeGreaterThan(20);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(10);
    expect(await pods("canary-capacity", "canary")).toEqual([]);
  }, UP_TIMEOUT_MS * 2);
});
