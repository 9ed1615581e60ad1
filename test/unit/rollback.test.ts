// The rollback plan in the stack outputs and the runbook: exact command lines,
// each addressing its service by name.
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../config/load";
import type { ServiceConfig } from "../../config/schema";
import { routeBackends, routeWeightPatch } from "../../lib/http-route";
import type { RollbackContext } from "../../lib/rollback";
import { strategyOf } from "../../strategies/registry";

const rollbackPlan = (service: ServiceConfig, ctx: RollbackContext) => strategyOf(service).rollbackPlan(service, ctx);
import { editedRaw, runProgram, type StackEdit } from "../support/run-program";
import { STACKS } from "../support/stack-files";

describe.each(STACKS)("rollback outputs of the %s stack", (stack) => {
  const ns = stack;

  it("rolls user-api back to v2.3.1 by patching the template, whatever the Deployment's history", async () => {
    const { services } = (await runProgram(stack)).outputs;
    expect(services["user-api"]).toMatchObject({ strategy: "rolling", live: { version: "v2.4.0", replicas: 5 }, rollbackTarget: "v2.3.1" });
    expect(services["user-api"]?.rollback).toEqual({
      target: "v2.3.1",
      quick:
        `kubectl patch deployment user-api -n ${ns} --type=strategic -p '{"spec":{"template":{"metadata":{"labels":{"app.kubernetes.io/version":"v2.3.1"}},` +
        `"spec":{"containers":[{"name":"user-api","image":"registry.example.com/shop/user-api:v2.3.1","env":[{"name":"SERVICE_VERSION","value":"v2.3.1"}]}]}}}}'`,
      pulumi:
        `pulumi config set-all --path --plaintext services.user-api.version=v2.3.1 --plaintext services.user-api.previousVersion=v2.4.0 --stack ${stack} && ` +
        `pulumi up --stack ${stack} --yes --policy-pack policy --policy-pack-config policy/config/${stack}.json`,
      verify:
        `kubectl rollout status deployment/user-api -n ${ns} --timeout=300s && ` +
        `kubectl get deployment/user-api -n ${ns} -o jsonpath='{.spec.template.spec.containers[0].image}'`,
      expect: "registry.example.com/shop/user-api:v2.3.1",
    });
  });

  it("switches payment-service back to the blue slot with a selector patch", async () => {
    const { services } = (await runProgram(stack)).outputs;
    expect(services["payment-service"]).toMatchObject({
      strategy: "blue-green",
      live: { slot: "green", version: "v3.2.0", standby: { slot: "blue", version: "v3.1.0", replicas: 4 } },
      rollbackTarget: "slot blue (v3.1.0)",
      migration: { job: "payment-migration-v3.2.0", version: "v3.2.0", kind: "expand" },
    });
    expect(services["payment-service"]?.rollback).toEqual({
      target: "slot blue (v3.1.0)",
      quick: `kubectl patch service payment-service -n ${ns} -p '{"spec":{"selector":{"app":"payment-service","version":"blue"}}}'`,
      pulumi: `pulumi config set-all --path --plaintext services.payment-service.liveSlot=blue --stack ${stack} && pulumi up --stack ${stack} --yes --policy-pack policy --policy-pack-config policy/config/${stack}.json`,
      verify: `kubectl get endpointslices -n ${ns} -l kubernetes.io/service-name=payment-service -o jsonpath='{.items[*].endpoints[*].targetRef.name}'`,
      expect: "only pods named payment-service-blue-*",
    });
  });

  it("aborts the recommendation-engine canary by scaling it to zero", async () => {
    const { services } = (await runProgram(stack)).outputs;
    expect(services["recommendation-engine"]).toMatchObject({
      strategy: "canary",
      live: { stable: { version: "v4.0.3", weight: 80, replicas: 8 }, canary: { version: "v4.1.0", weight: 20, requestedWeight: 20, replicas: 2 }, exactWeights: false },
    });
    expect(services["recommendation-engine"]?.rollback).toEqual({
      target: "stable v4.0.3 only (canary v4.1.0 at 0%)",
      quick: `kubectl scale deployment recommendation-engine-canary -n ${ns} --replicas=0`,
      pulumi: `pulumi config set-all --path --plaintext services.recommendation-engine.canaryWeight=0 --stack ${stack} && pulumi up --stack ${stack} --yes --policy-pack policy --policy-pack-config policy/config/${stack}.json`,
      verify: `kubectl get pods -n ${ns} -l app=recommendation-engine,version=canary -o name`,
      expect: "no pods",
    });
  });

  it("prints the same commands in the Markdown runbook", async () => {
    const { services, runbook } = (await runProgram(stack)).outputs;
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
  const ctx = { namespace: "shop", stack: "production", environment: "production" };
  const service = (name: string, edit: StackEdit = () => {}): ServiceConfig => {
    const found = parseStackConfig(editedRaw("production", edit)).services.find((s) => s.name === name);
    if (found === undefined) throw new Error(`no service ${name}`);
    return found;
  };

  it("brings a retired standby slot back before moving traffic to it", () => {
    const payment = service("payment-service", (raw) => (raw.services["payment-service"]!.retireStandby = true));
    expect(rollbackPlan(payment, ctx)?.quick).toBe(
      "kubectl scale deployment payment-service-blue -n shop --replicas=4 && " +
        "kubectl rollout status deployment/payment-service-blue -n shop --timeout=300s && " +
        `kubectl patch service payment-service -n shop -p '{"spec":{"selector":{"app":"payment-service","version":"blue"}}}'`,
    );
    expect(rollbackPlan(payment, ctx)?.pulumi).toBe(
      "pulumi config set-all --path --plaintext services.payment-service.liveSlot=blue --plaintext services.payment-service.retireStandby=false --stack production && " +
        "pulumi up --stack production --yes --policy-pack policy --policy-pack-config policy/config/production.json",
    );
  });

  it("takes the canary out of the HTTPRoute by backend name before scaling it to zero", () => {
    const canary = service("recommendation-engine", (raw) => (raw.services["recommendation-engine"]!.httpRoute = { gatewayName: "public" }));
    expect(rollbackPlan(canary, ctx)?.quick).toBe(
      `kubectl patch httproute recommendation-engine -n shop --type=json -p '[` +
        `{"op":"test","path":"/spec/rules/0/backendRefs/0/name","value":"recommendation-engine-stable"},` +
        `{"op":"replace","path":"/spec/rules/0/backendRefs/0/weight","value":100},` +
        `{"op":"test","path":"/spec/rules/0/backendRefs/1/name","value":"recommendation-engine-canary"},` +
        `{"op":"replace","path":"/spec/rules/0/backendRefs/1/weight","value":0}]' && ` +
        "kubectl scale deployment recommendation-engine-canary -n shop --replicas=0",
    );
  });

  it("patches the route's backends at the positions the route puts them", () => {
    const patch = routeWeightPatch("rec", 0) as { op: string; path: string; value: unknown }[];
    routeBackends("rec", 30).forEach((backend, index) => {
      expect(patch).toContainEqual({ op: "test", path: `/spec/rules/0/backendRefs/${index}/name`, value: backend.name });
    });
  });

  it.each<[string, string, StackEdit]>([
    ["a first release", "user-api", (raw) => delete raw.services["user-api"]!.previousVersion],
    ["an aborted canary", "recommendation-engine", (raw) => (raw.services["recommendation-engine"]!.canaryWeight = 0)],
    ["a lone slot", "payment-service", (raw) => delete raw.services["payment-service"]!.blueVersion],
  ])("has nothing to roll back to for %s", (_what, name, edit) => {
    expect(rollbackPlan(service(name, edit), ctx)).toBeUndefined();
  });
});
