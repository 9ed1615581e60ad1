// Rolling: a release rolls the Deployment; the quick and the Pulumi-native
// rollback commands from the stack outputs, run as printed on a freshly
// deployed stack, bring the previous version back, as the API server reports it.
// Each test deploys the state it starts from, so any one runs alone (-t).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommandLine } from "../../tools/rehearsal/command-line";
import { changes, deploymentImage, freshProduction, startE2e, stackOutputs, stopE2e, toolchain, upWith, UP_TIMEOUT_MS, type E2eContext } from "./support";

const IMAGE = "registry.example.com/shop/user-api";

describe.skipIf(!toolchain.ok)("rolling update of user-api, and its rollback", () => {
  let context: E2eContext | undefined;
  const imageIn = async (namespace: string) => deploymentImage(context!.kc, namespace, "user-api");

  beforeAll(async () => {
    context = await startE2e("rolling");
  }, UP_TIMEOUT_MS);
  afterAll(() => stopE2e(context), 60_000);

  it("rolls the Deployment to v2.4.0 when the version changes", async () => {
    const engine = await freshProduction(context!, "user-api", "rolling-release", { "services.user-api.version": "v2.3.1", "services.user-api.previousVersion": "v2.2.0" });
    expect(await imageIn("rolling-release")).toBe(`${IMAGE}:v2.3.1`);

    await upWith(engine, { "services.user-api.version": "v2.4.0", "services.user-api.previousVersion": "v2.3.1" });

    expect(await imageIn("rolling-release")).toBe(`${IMAGE}:v2.4.0`);
  }, UP_TIMEOUT_MS);

  it("brings v2.3.1 back with the quick command on a stack that never ran v2.3.1, and verify shows it", async () => {
    const engine = await freshProduction(context!, "user-api", "rolling-quick");
    const plan = (await stackOutputs(engine)).services["user-api"]!.rollback!;

    await runCommandLine(plan.quick, engine);

    const [, image] = await runCommandLine(plan.verify, engine);
    expect(image?.stdout).toBe(plan.expect);
    expect(await imageIn("rolling-quick")).toBe(`${IMAGE}:v2.3.1`);
  }, UP_TIMEOUT_MS);

  it("brings v2.3.1 back with the Pulumi-native command as printed, leaving no drift", async () => {
    const engine = await freshProduction(context!, "user-api", "rolling-native");
    const plan = (await stackOutputs(engine)).services["user-api"]!.rollback!;

    const steps = await runCommandLine(plan.pulumi, engine);

    expect(steps.map((s) => s.ranAs)).toEqual(["shell", "pulumi-up"]);
    expect(await imageIn("rolling-native")).toBe(`${IMAGE}:v2.3.1`);
    expect((await engine.stack.getConfig("services.user-api.version", true)).value).toBe("v2.3.1");
    expect(changes((await engine.stack.preview({ color: "never" })).changeSummary)).toEqual({});
  }, UP_TIMEOUT_MS);

  it("takes the fields kubectl changed back when the Pulumi-native command follows the quick one", async () => {
    const engine = await freshProduction(context!, "user-api", "rolling-both");
    const plan = (await stackOutputs(engine)).services["user-api"]!.rollback!;
    await runCommandLine(plan.quick, engine);

    await runCommandLine(plan.pulumi, engine);

    expect(await imageIn("rolling-both")).toBe(`${IMAGE}:v2.3.1`);
    expect(changes((await engine.stack.preview({ color: "never", refresh: true })).changeSummary)).toEqual({});
  }, UP_TIMEOUT_MS);
});
