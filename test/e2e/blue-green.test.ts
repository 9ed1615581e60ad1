// Blue-green: the switch moves the live Service's selector and its
// EndpointSlices to the new slot's pods; the quick and the Pulumi-native
// rollback move them back, and afterwards a preview shows no drift.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommandLine } from "../../tools/rehearsal/command-line";
import type { EngineStack } from "../../tools/rehearsal/engine";
import { apis, changes, endpointPods, engineFor, eventually, onlyServices, stackOutputs, startE2e, stopE2e, toolchain, UP_TIMEOUT_MS, type E2eContext } from "./support";

const NS = "safe-deploy-production";

describe.skipIf(!toolchain.ok)("blue-green switch of payment-service, and its rollback", () => {
  let context: E2eContext | undefined;
  let engine: EngineStack;
  const trafficOn = (slot: string) => async () => {
    const pods = await endpointPods(context!.kc, NS, "payment-service");
    return pods.length === 4 && pods.every((pod) => pod.startsWith(`payment-service-${slot}-`));
  };
  const selector = async () => (await (await apis(context!.kc)).core.readNamespacedService({ name: "payment-service", namespace: NS })).spec?.selector;

  beforeAll(async () => {
    context = await startE2e("blue-green");
    // Before the release: blue live, green v3.2.0 deployed idle behind its preview Service.
    engine = await engineFor(context, "production", { editStackFile: onlyServices("payment-service"), config: { "services[0].liveSlot": "blue" } });
    await engine.stack.up({ color: "never" });
  }, UP_TIMEOUT_MS);
  afterAll(() => stopE2e(context), 60_000);

  it("moves the selector and the EndpointSlices to the green slot's pods", async () => {
    expect(await trafficOn("blue")()).toBe(true);
    expect((await endpointPods(context!.kc, NS, "payment-service-green")).length).toBe(4);

    await engine.stack.setConfig("services[0].liveSlot", { value: "green" }, true);
    const result = await engine.stack.up({ color: "never" });

    expect(result.summary.result).toBe("succeeded");
    expect(await selector()).toEqual({ app: "payment-service", version: "green" });
    await eventually("EndpointSlices on green", trafficOn("green"));
    expect((await endpointPods(context!.kc, NS, "payment-service-blue")).length).toBe(4); // standby kept
  }, UP_TIMEOUT_MS);

  it("moves traffic back to blue with the quick rollback command", async () => {
    const plan = (await stackOutputs(engine)).services["payment-service"]?.rollback;

    await runCommandLine(plan!.quick, engine);

    await eventually("EndpointSlices on blue", trafficOn("blue"));
    const [verify] = await runCommandLine(plan!.verify, engine);
    expect(verify?.stdout.split(" ").every((pod) => pod.startsWith("payment-service-blue-"))).toBe(true);
  }, UP_TIMEOUT_MS);

  it("moves traffic back to blue with the Pulumi-native rollback, and a preview then shows no drift", async () => {
    const plan = (await stackOutputs(engine)).services["payment-service"]?.rollback;

    await runCommandLine(plan!.pulumi, engine);

    expect(await selector()).toEqual({ app: "payment-service", version: "blue" });
    await eventually("EndpointSlices on blue", trafficOn("blue"));
    expect((await engine.stack.getConfig("services[0].liveSlot", true)).value).toBe("blue");
    expect(changes((await engine.stack.preview({ color: "never" })).changeSummary)).toEqual({});
  }, UP_TIMEOUT_MS);
});
