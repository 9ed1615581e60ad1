import { describe, expect, it } from "vitest";
import { parseStackConfig, rawConfigFromAll } from "../../config/load";
import { program } from "../../program";
import { rollbackPlan } from "../../lib/rollback";
import { startMockRun } from "../support/pulumi-mocks";
import { STACKS, stackFileConfig } from "../support/stack-files";

async function outputsOf(stack: string) {
  const run = await startMockRun({ stack, config: stackFileConfig(stack) });
  const outputs = await program();
  await run.settled();
  return outputs;
}

describe.each(STACKS)("rollback outputs of the %s stack", (stack) => {
  const ns = `safe-deploy-${stack}`;

  it("rolls user-api back to v2.3.1 with rollout undo", async () => {
    const { services } = await outputsOf(stack);
    expect(services["user-api"]).toMatchObject({ strategy: "rolling", live: { version: "v2.4.0", replicas: 5 }, rollbackTarget: "v2.3.1" });
    expect(services["user-api"]?.rollback).toEqual({
      target: "v2.3.1",
      quick: `kubectl rollout undo deployment/user-api -n ${ns}`,
      pulumi:
        `pulumi config set --path 'services[0].version' v2.3.1 --stack ${stack} && ` +
        `pulumi config set --path 'services[0].previousVersion' v2.4.0 --stack ${stack} && ` +
        `pulumi up --stack ${stack}`,
      verify:
        `kubectl rollout status deployment/user-api -n ${ns} --timeout=300s && ` +
        `kubectl get deployment/user-api -n ${ns} -o jsonpath='{.spec.template.spec.containers[0].image}'`,
      expect: "registry.example.com/shop/user-api:v2.3.1",
    });
  });

  it("switches payment-service back to the blue slot with a selector patch", async () => {
    const { services } = await outputsOf(stack);
    expect(services["payment-service"]).toMatchObject({
      strategy: "blue-green",
      live: { slot: "green", version: "v3.2.0", standby: { slot: "blue", version: "v3.1.0", replicas: 4 } },
      rollbackTarget: "slot blue (v3.1.0)",
      migration: { job: "payment-migration-v3.2.0", version: "v3.2.0", kind: "expand" },
    });
    expect(services["payment-service"]?.rollback).toEqual({
      target: "slot blue (v3.1.0)",
      quick: `kubectl patch service payment-service -n ${ns} -p '{"spec":{"selector":{"app":"payment-service","version":"blue"}}}'`,
      pulumi: `pulumi config set --path 'services[1].liveSlot' blue --stack ${stack} && pulumi up --stack ${stack}`,
      verify: `kubectl get endpointslices -n ${ns} -l kubernetes.io/service-name=payment-service -o jsonpath='{.items[*].endpoints[*].targetRef.name}'`,
      expect: "only pods named payment-service-blue-*",
    });
  });

  it("aborts the recommendation-engine canary by scaling it to zero", async () => {
    const { services } = await outputsOf(stack);
    expect(services["recommendation-engine"]).toMatchObject({
      strategy: "canary",
      live: { stable: { version: "v4.0.3", weight: 80, replicas: 8 }, canary: { version: "v4.1.0", weight: 20, replicas: 2 } },
    });
    expect(services["recommendation-engine"]?.rollback).toEqual({
      target: "stable v4.0.3 only (canary v4.1.0 at 0%)",
      quick: `kubectl scale deployment recommendation-engine-canary -n ${ns} --replicas=0`,
      pulumi: `pulumi config set --path 'services[2].canaryWeight' 0 --stack ${stack} && pulumi up --stack ${stack}`,
      verify: `kubectl get pods -n ${ns} -l app=recommendation-engine,version=canary -o name`,
      expect: "no pods",
    });
  });

  it("prints the same commands in the Markdown runbook", async () => {
    const { services, runbook } = await outputsOf(stack);
    expect(runbook).toContain(`# Rollback runbook: stack ${stack} (${stack}, namespace ${ns})`);
    for (const report of Object.values(services)) {
      expect(runbook).toContain(`## ${report.name} (${report.strategy})`);
      expect(runbook).toContain(report.rollback?.quick);
      expect(runbook).toContain(report.rollback?.pulumi);
      expect(runbook).toContain(report.rollback?.verify);
    }
  });
});

describe("rollback plans in other states", () => {
  const base = parseStackConfig(rawConfigFromAll(stackFileConfig("production")));
  const ctx = { namespace: "shop", stack: "production", index: 1 };

  it("brings a retired standby slot back before moving traffic to it", () => {
    const payment = { ...base.services[1], retireStandby: true } as (typeof base.services)[number];
    expect(rollbackPlan(payment, ctx)?.quick).toBe(
      "kubectl scale deployment payment-service-blue -n shop --replicas=4 && " +
        "kubectl rollout status deployment/payment-service-blue -n shop --timeout=300s && " +
        `kubectl patch service payment-service -n shop -p '{"spec":{"selector":{"app":"payment-service","version":"blue"}}}'`,
    );
    expect(rollbackPlan(payment, ctx)?.pulumi).toBe(
      "pulumi config set --path 'services[1].liveSlot' blue --stack production && " +
        "pulumi config set --path 'services[1].retireStandby' false --stack production && pulumi up --stack production",
    );
  });

  it("takes the canary out of the HTTPRoute before scaling it to zero", () => {
    const canary = { ...base.services[2], httpRoute: { gatewayName: "public", hostnames: [] } } as (typeof base.services)[number];
    expect(rollbackPlan(canary, { ...ctx, index: 2 })?.quick).toBe(
      `kubectl patch httproute recommendation-engine -n shop --type=json -p '[{"op":"replace","path":"/spec/rules/0/backendRefs/0/weight","value":100},{"op":"replace","path":"/spec/rules/0/backendRefs/1/weight","value":0}]' && ` +
        "kubectl scale deployment recommendation-engine-canary -n shop --replicas=0",
    );
  });

  it("has nothing to roll back to for a first release, an aborted canary or a lone slot", () => {
    const [rolling, blueGreen, canary] = base.services;
    expect(rollbackPlan({ ...rolling, previousVersion: undefined } as typeof rolling, ctx)).toBeUndefined();
    expect(rollbackPlan({ ...canary, canaryWeight: 0 } as typeof canary, ctx)).toBeUndefined();
    expect(rollbackPlan({ ...blueGreen, blueVersion: undefined } as typeof blueGreen, ctx)).toBeUndefined();
  });
});
