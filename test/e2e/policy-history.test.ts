// The rollout policies that compare an update with what served before, judged
// through the real engine on the local cluster: the engine hands a stack
// policy the registered resources only (no StackReference), so what served
// before reaches the pack on the DeploymentRecord (`from`). Each case deploys
// the state it starts from without the pack, then previews or updates the
// change through it, as `--policy-pack policy --policy-pack-config
// policy/config/production.json` does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apis, changes, engineFor, onlyServices, PRODUCTION_PACK, refusal, startE2e, stopE2e, toolchain, UP_TIMEOUT_MS, type E2eContext } from "./support";

describe.skipIf(!toolchain.ok)("rollout policies against what served before, through the engine", () => {
  let context: E2eContext | undefined;

  beforeAll(async () => {
    context = await startE2e("policy-history");
  }, UP_TIMEOUT_MS);
  afterAll(() => stopE2e(context), 60_000);

  /** A fresh production stack of `services` in `namespace`, deployed without the pack. */
  async function deployed(namespace: string, services: string[], config: Record<string, string | number | boolean>) {
    const engine = await engineFor(context!, "production", { editStackFile: onlyServices(...services), config: { namespace, ...config } });
    expect((await engine.stack.up({ color: "never" })).summary.result).toBe("succeeded");
    return engine;
  }

  /** The DeploymentRecord's `from` of `service`, as the API server holds it. */
  async function recordedFrom(namespace: string, service: string): Promise<unknown> {
    const map = await (await apis(context!.kc)).core.readNamespacedConfigMap({ name: "safe-deploy-record", namespace });
    return (JSON.parse(map.data?.[`service.${service}`] ?? "{}") as { from?: unknown }).from;
  }

  it(
    "refuses a canary step past the plan (10% to 50%, past 30%) and lets the next step (30%) through",
    async () => {
      const engine = await deployed("history-canary", ["recommendation-engine"], { "services.recommendation-engine.canaryWeight": 10 });
      // The first release recorded that nothing served before it.
      expect(await recordedFrom("history-canary", "recommendation-engine")).toBeNull();

      await engine.stack.setConfig("services.recommendation-engine.canaryWeight", { value: "50" }, true);
      const refused = await refusal(engine.stack.preview({ color: "never", ...PRODUCTION_PACK }));

      expect(refused).toContain("enforce-canary-steps");
      expect(refused).toContain("Deployment history-canary/recommendation-engine-canary moves from 10% to 50% of the traffic (by the replica ratio), past the next step, 30%");

      await engine.stack.setConfig("services.recommendation-engine.canaryWeight", { value: "30" }, true);
      expect((await engine.stack.up({ color: "never", ...PRODUCTION_PACK })).summary.result).toBe("succeeded");
      expect(await recordedFrom("history-canary", "recommendation-engine")).toMatchObject({ strategy: "canary", canary: { version: "v4.1.0", weight: 10 } });
    },
    UP_TIMEOUT_MS * 3,
  );

  it(
    "refuses a switch that retires the standby in the same update, and lets it be retired in the next",
    async () => {
      const engine = await deployed("history-switch", ["payment-service"], { "services.payment-service.liveSlot": "blue" });

      await engine.stack.setConfig("services.payment-service.liveSlot", { value: "green" }, true);
      await engine.stack.setConfig("services.payment-service.retireStandby", { value: "true" }, true);
      const refused = await refusal(engine.stack.preview({ color: "never", ...PRODUCTION_PACK }));

      expect(refused).toContain("disallow-standby-retired-on-switch");
      expect(refused).toContain("Service history-switch/payment-service switches traffic from slot blue to green in this update");

      await engine.stack.setConfig("services.payment-service.retireStandby", { value: "false" }, true);
      expect((await engine.stack.up({ color: "never", ...PRODUCTION_PACK })).summary.result).toBe("succeeded");
      await engine.stack.setConfig("services.payment-service.retireStandby", { value: "true" }, true);
      expect((await engine.stack.up({ color: "never", ...PRODUCTION_PACK })).summary.result).toBe("succeeded");
    },
    UP_TIMEOUT_MS * 4,
  );

  it(
    "accepts a canary abort and every production update after it, and a no-op up after that changes nothing",
    async () => {
      const engine = await deployed("history-abort", ["user-api", "recommendation-engine"], { "services.recommendation-engine.canaryWeight": 10 });

      await engine.stack.setConfig("services.recommendation-engine.canaryWeight", { value: "0" }, true);
      expect((await engine.stack.up({ color: "never", ...PRODUCTION_PACK })).summary.result).toBe("succeeded");

      await engine.stack.setConfig("services.user-api.replicas", { value: "6" }, true);
      const after = await engine.stack.up({ color: "never", ...PRODUCTION_PACK });
      expect(after.summary.result).toBe("succeeded");
      expect(after.stdout).not.toContain("enforce-rollback-target");

      const again = await engine.stack.preview({ color: "never", ...PRODUCTION_PACK });
      expect(changes(again.changeSummary)).toEqual({});
    },
    UP_TIMEOUT_MS * 4,
  );
});
