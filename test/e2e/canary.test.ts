// Canary with exact weights: each weight step changes the replica split and
// the HTTPRoute's backend weights; the quick rollback and abort leave no
// canary pods; promotion moves stable to the canary's version.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommandLine } from "../../tools/rehearsal/command-line";
import type { EngineStack } from "../../tools/rehearsal/engine";
import { apis, deploymentImage, engineFor, eventually, onlyServices, runningPods, stackOutputs, startE2e, stopE2e, toolchain, UP_TIMEOUT_MS, type E2eContext } from "./support";

const NS = "safe-deploy-production";

describe.skipIf(!toolchain.ok)("canary of recommendation-engine with exact weights", () => {
  let context: E2eContext | undefined;
  let engine: EngineStack;

  const pods = (track: string) => runningPods(context!.kc, NS, `app=recommendation-engine,version=${track}`);
  const routeWeights = async (): Promise<number[]> => {
    const route = (await (await apis(context!.kc)).custom.getNamespacedCustomObject({
      group: "gateway.networking.k8s.io",
      version: "v1",
      namespace: NS,
      plural: "httproutes",
      name: "recommendation-engine",
    })) as { spec: { rules: { backendRefs: { weight: number }[] }[] } };
    return route.spec.rules[0]?.backendRefs.map((ref) => ref.weight) ?? [];
  };
  const setWeight = async (weight: number) => {
    await engine.stack.setConfig("services[0].canaryWeight", { value: String(weight) }, true);
    expect((await engine.stack.up({ color: "never" })).summary.result).toBe("succeeded");
  };

  beforeAll(async () => {
    context = await startE2e("canary");
    engine = await engineFor(context, "production", {
      editStackFile: onlyServices("recommendation-engine"),
      config: { "services[0].httpRoute.gatewayName": "public", "services[0].canaryWeight": 10 },
    });
    await engine.stack.up({ color: "never" });
  }, UP_TIMEOUT_MS);
  afterAll(() => stopE2e(context), 60_000);

  it.each([
    [10, 9, 1],
    [30, 7, 3],
    [50, 5, 5],
  ])("at weight %i runs %i stable and %i canary pods and weighs the route the same", async (weight, stable, canary) => {
    await setWeight(weight);
    await eventually(`${stable}/${canary} pods`, async () => (await pods("stable")).length === stable && (await pods("canary")).length === canary);
    expect(await routeWeights()).toEqual([100 - weight, weight]);
  }, UP_TIMEOUT_MS);

  it("leaves no canary pods and no canary weight after the quick rollback command", async () => {
    const plan = (await stackOutputs(engine)).services["recommendation-engine"]?.rollback;

    await runCommandLine(plan!.quick, engine);

    expect(await routeWeights()).toEqual([100, 0]);
    await eventually("no canary pods", async () => (await pods("canary")).length === 0);
    const [verify] = await runCommandLine(plan!.verify, engine);
    expect(verify?.stdout.trim()).toBe("");
  }, UP_TIMEOUT_MS);

  it("aborts at weight 0: all pods stable, none canary", async () => {
    await setWeight(0);
    await eventually("10 stable, 0 canary", async () => (await pods("stable")).length === 10 && (await pods("canary")).length === 0);
    expect(await routeWeights()).toEqual([100, 0]);
  }, UP_TIMEOUT_MS);

  it("promotes: stable runs the canary's version and the canary track is gone", async () => {
    await engine.stack.setConfig("services[0].stableVersion", { value: "v4.1.0" }, true);
    await engine.stack.removeConfig("services[0].canaryVersion", true);
    expect((await engine.stack.up({ color: "never" })).summary.result).toBe("succeeded");

    expect(await deploymentImage(context!.kc, NS, "recommendation-engine")).toBe("registry.example.com/shop/recommendation-engine:v4.1.0");
    const deployments = await (await apis(context!.kc)).apps.listNamespacedDeployment({ namespace: NS });
    expect(deployments.items.map((d) => d.metadata?.name)).toEqual(["recommendation-engine"]);
    await eventually("10 stable pods", async () => (await pods("stable")).length === 10);
  }, UP_TIMEOUT_MS);
});
