// The rollback plan of each strategy: the quick kubectl command, the
// Pulumi-native commands that restore the previous state in stack config (so
// the declared state and the cluster agree), and how to verify it took effect.
import type { BlueGreenServiceConfig, CanaryServiceConfig, RollingServiceConfig, ServiceConfig } from "../config/schema";
import { names, otherSlot, selectorLabels } from "./names";
import { selectorPatchCommand } from "./selector-patch";

export interface RollbackPlan {
  /** What the rollback returns to, for a human: `v2.3.1`, `slot blue (v3.1.0)`, ... */
  readonly target: string;
  /** One command line, run as is: the runbook's emergency rollback. */
  readonly quick: string;
  /** One command line: set the stack config back, then `pulumi up`. */
  readonly pulumi: string;
  /** One command line whose output shows whether the rollback took effect. */
  readonly verify: string;
  /** What `verify` prints once the rollback took effect. */
  readonly expect: string;
}

export interface RollbackContext {
  readonly namespace: string;
  readonly stack: string;
  /** Position of the service in `services`, for `pulumi config set --path`. */
  readonly index: number;
}

/** The rollback plan, or undefined when there is nothing to go back to. */
export function rollbackPlan(service: ServiceConfig, ctx: RollbackContext): RollbackPlan | undefined {
  switch (service.strategy) {
    case "rolling":
      return rollingRollback(service, ctx);
    case "blue-green":
      return blueGreenRollback(service, ctx);
    case "canary":
      return canaryRollback(service, ctx);
  }
}

function configSet(ctx: RollbackContext, field: string, value: string | number): string {
  return `pulumi config set --path 'services[${ctx.index}].${field}' ${value} --stack ${ctx.stack}`;
}

function pulumiUp(ctx: RollbackContext): string {
  return `pulumi up --stack ${ctx.stack}`;
}

function rollingRollback(service: RollingServiceConfig, ctx: RollbackContext): RollbackPlan | undefined {
  if (service.previousVersion === undefined) return undefined;
  const deployment = names.service(service.name);
  const ns = `-n ${ctx.namespace}`;
  return {
    target: service.previousVersion,
    quick: `kubectl rollout undo deployment/${deployment} ${ns}`,
    pulumi: [
      configSet(ctx, "version", service.previousVersion),
      configSet(ctx, "previousVersion", service.version),
      pulumiUp(ctx),
    ].join(" && "),
    verify:
      `kubectl rollout status deployment/${deployment} ${ns} --timeout=${service.progressDeadlineSeconds}s && ` +
      `kubectl get deployment/${deployment} ${ns} -o jsonpath='{.spec.template.spec.containers[0].image}'`,
    expect: `${service.image}:${service.previousVersion}`,
  };
}

function blueGreenRollback(service: BlueGreenServiceConfig, ctx: RollbackContext): RollbackPlan | undefined {
  const standby = otherSlot(service.liveSlot);
  const standbyVersion = standby === "blue" ? service.blueVersion : service.greenVersion;
  if (standbyVersion === undefined) return undefined;
  const ns = `-n ${ctx.namespace}`;
  const patch = selectorPatchCommand(names.service(service.name), ctx.namespace, selectorLabels(service.name, standby));
  const standbyDeployment = names.slotDeployment(service.name, standby);
  // A retired standby has no pods: bring it back and wait before moving traffic to it.
  const quick = service.retireStandby
    ? `kubectl scale deployment ${standbyDeployment} ${ns} --replicas=${service.replicas} && ` +
      `kubectl rollout status deployment/${standbyDeployment} ${ns} --timeout=${service.progressDeadlineSeconds}s && ${patch}`
    : patch;
  const pulumi = [configSet(ctx, "liveSlot", standby)];
  if (service.retireStandby) pulumi.push(configSet(ctx, "retireStandby", "false"));
  pulumi.push(pulumiUp(ctx));
  return {
    target: `slot ${standby} (${standbyVersion})`,
    quick,
    pulumi: pulumi.join(" && "),
    verify:
      `kubectl get endpointslices ${ns} -l kubernetes.io/service-name=${names.service(service.name)} ` +
      `-o jsonpath='{.items[*].endpoints[*].targetRef.name}'`,
    expect: `only pods named ${standbyDeployment}-*`,
  };
}

function canaryRollback(service: CanaryServiceConfig, ctx: RollbackContext): RollbackPlan | undefined {
  if (service.canaryVersion === undefined || service.canaryWeight === 0) return undefined;
  const ns = `-n ${ctx.namespace}`;
  const scale = `kubectl scale deployment ${names.trackDeployment(service.name, "canary")} ${ns} --replicas=0`;
  // With exact weights, take the canary out of the route first, so no request goes to a backend with no pods.
  const quick =
    service.httpRoute === undefined
      ? scale
      : `kubectl patch httproute ${names.httpRoute(service.name)} ${ns} --type=json -p '${JSON.stringify([
          { op: "replace", path: "/spec/rules/0/backendRefs/0/weight", value: 100 },
          { op: "replace", path: "/spec/rules/0/backendRefs/1/weight", value: 0 },
        ])}' && ${scale}`;
  return {
    target: `stable ${service.stableVersion} only (canary ${service.canaryVersion} at 0%)`,
    quick,
    pulumi: [configSet(ctx, "canaryWeight", 0), pulumiUp(ctx)].join(" && "),
    verify: `kubectl get pods ${ns} -l app=${service.name},version=canary -o name`,
    expect: "no pods",
  };
}
