// Blue-green: the switch moves the live Service's selector and its
// EndpointSlices to the new slot's pods; the quick and the Pulumi-native
// rollback, each run as printed on a freshly deployed stack with green
// serving, move them back, and afterwards a preview shows no drift.
// Each test deploys the state it starts from, so any one runs alone (-t).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommandLine } from "../../tools/rehearsal/command-line";
import { apis, changes, endpointPods, eventually, freshProduction, stackOutputs, startE2e, stopE2e, toolchain, upWith, UP_TIMEOUT_MS, type E2eContext } from "./support";

describe.skipIf(!toolchain.ok)("blue-green switch of payment-service, and its rollback", () => {
  let context: E2eContext | undefined;
  const trafficOn = (namespace: string, slot: string) => async () => {
    const pods = await endpointPods(context!.kc, namespace, "payment-service");
    return pods.length === 4 && pods.every((pod) => pod.startsWith(`payment-service-${slot}-`));
  };
  const selector = async (namespace: string) =>
    (await (await apis(context!.kc)).core.readNamespacedService({ name: "payment-service", namespace })).spec?.selector;

  beforeAll(async () => {
    context = await startE2e("blue-green");
  }, UP_TIMEOUT_MS);
  afterAll(() => stopE2e(context), 60_000);

  it("moves the selector and the EndpointSlices to the green slot's pods, keeping blue as standby", async () => {
    // Before the release: blue live, green v3.2.0 deployed idle behind its preview Service.
    const engine = await freshProduction(context!, "payment-service", "bg-switch", { "services.payment-service.liveSlot": "blue" });
    expect(await trafficOn("bg-switch", "blue")()).toBe(true);
    expect(await endpointPods(context!.kc, "bg-switch", "payment-service-green")).toHaveLength(4);

    await upWith(engine, { "services.payment-service.liveSlot": "green" });

    expect(await selector("bg-switch")).toEqual({ app: "payment-service", version: "green" });
    await eventually("EndpointSlices on green", trafficOn("bg-switch", "green"));
    expect(await endpointPods(context!.kc, "bg-switch", "payment-service-blue")).toHaveLength(4);
  }, UP_TIMEOUT_MS);

  it("moves traffic from green back to blue with the quick command as printed", async () => {
    const engine = await freshProduction(context!, "payment-service", "bg-quick");
    expect(await trafficOn("bg-quick", "green")()).toBe(true);
    const plan = (await stackOutputs(engine)).services["payment-service"]!.rollback!;

    await runCommandLine(plan.quick, engine);

    await eventually("EndpointSlices on blue", trafficOn("bg-quick", "blue"));
    const [verify] = await runCommandLine(plan.verify, engine);
    expect(verify?.stdout.split(" ").every((pod) => pod.startsWith("payment-service-blue-"))).toBe(true);
  }, UP_TIMEOUT_MS);

  it("moves traffic from green back to blue with the Pulumi-native command as printed, leaving no drift", async () => {
    const engine = await freshProduction(context!, "payment-service", "bg-native");
    expect(await trafficOn("bg-native", "green")()).toBe(true);
    const plan = (await stackOutputs(engine)).services["payment-service"]!.rollback!;

    await runCommandLine(plan.pulumi, engine);

    expect(await selector("bg-native")).toEqual({ app: "payment-service", version: "blue" });
    await eventually("EndpointSlices on blue", trafficOn("bg-native", "blue"));
    expect((await engine.stack.getConfig("services.payment-service.liveSlot", true)).value).toBe("blue");
    expect(changes((await engine.stack.preview({ color: "never" })).changeSummary)).toEqual({});
  }, UP_TIMEOUT_MS);
});
