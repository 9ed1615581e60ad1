// Rolling: a release rolls the Deployment; the quick and the Pulumi-native
// rollback commands from the stack outputs, run for real, bring the previous
// version back, as the API server reports it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommandLine } from "../../tools/rehearsal/command-line";
import type { EngineStack } from "../../tools/rehearsal/engine";
import { changes, deploymentImage, engineFor, eventually, onlyServices, stackOutputs, startE2e, stopE2e, toolchain, UP_TIMEOUT_MS, type E2eContext } from "./support";

const NS = "safe-deploy-production";
const IMAGE = "registry.example.com/shop/user-api";

describe.skipIf(!toolchain.ok)("rolling update of user-api, and its rollback", () => {
  let context: E2eContext | undefined;
  let engine: EngineStack;
  const imageIs = (version: string) => async () => (await deploymentImage(context!.kc, NS, "user-api")) === `${IMAGE}:${version}`;

  beforeAll(async () => {
    context = await startE2e("rolling");
    // Production as it was before the release: v2.3.1 live.
    engine = await engineFor(context, "production", {
      editStackFile: onlyServices("user-api"),
      config: { "services[0].version": "v2.3.1", "services[0].previousVersion": "v2.2.0" },
    });
    await engine.stack.up({ color: "never" });
  }, UP_TIMEOUT_MS);
  afterAll(() => stopE2e(context), 60_000);

  async function release(version: string, previous: string): Promise<void> {
    await engine.stack.setConfig("services[0].previousVersion", { value: previous }, true);
    await engine.stack.setConfig("services[0].version", { value: version }, true);
    const result = await engine.stack.up({ color: "never" });
    expect(result.summary.result).toBe("succeeded");
  }

  it("rolls the Deployment to v2.4.0 when the version changes", async () => {
    expect(await imageIs("v2.3.1")()).toBe(true);
    await release("v2.4.0", "v2.3.1");
    expect(await imageIs("v2.4.0")()).toBe(true);
  }, UP_TIMEOUT_MS);

  it("brings v2.3.1 back with the quick rollback command, and the verify command shows it", async () => {
    const { services } = await stackOutputs(engine);
    const plan = services["user-api"]?.rollback;
    expect(plan?.quick).toBe(`kubectl rollout undo deployment/user-api -n ${NS}`);

    await runCommandLine(plan!.quick, engine);

    await eventually("user-api back on v2.3.1", imageIs("v2.3.1"));
    const [, verify] = await runCommandLine(plan!.verify, engine);
    expect(verify?.stdout).toBe(plan!.expect);
  }, UP_TIMEOUT_MS);

  it("brings v2.3.1 back with the Pulumi-native rollback, leaving no drift", async () => {
    // Roll forward again, so this rollback starts from v2.4.0. The config still says v2.4.0 after the
    // quick rollback; only a refresh lets the engine see that the cluster went back to v2.3.1.
    expect(changes((await engine.stack.preview({ color: "never" })).changeSummary)).toEqual({});
    const forward = await engine.stack.up({ color: "never", refresh: true });
    expect(changes(forward.summary.resourceChanges)).toEqual({ update: 1 });
    expect(await imageIs("v2.4.0")()).toBe(true);
    const plan = (await stackOutputs(engine)).services["user-api"]?.rollback;

    const steps = await runCommandLine(plan!.pulumi, engine);

    expect(steps.map((s) => s.ranAs)).toEqual(["shell", "shell", "automation-api"]);
    expect(await imageIs("v2.3.1")()).toBe(true);
    expect((await engine.stack.getConfig("services[0].version", true)).value).toBe("v2.3.1");
    expect(changes((await engine.stack.preview({ color: "never" })).changeSummary)).toEqual({});
  }, UP_TIMEOUT_MS);
});
