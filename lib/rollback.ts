// The rollback plan of each strategy, the only one there is: the quick
// kubectl command, the Pulumi-native commands that restore the previous state
// in stack config (so the declared state and the cluster agree), and how to
// verify it took effect. Every line runs as printed in a shell without a
// terminal.
import type { BlueGreenServiceConfig, CanaryServiceConfig, RollingServiceConfig, ServiceConfig } from "../config/schema";
import { routeWeightPatch } from "./http-route";
import { names, otherSlot, selectorLabels, VERSION_ENV, VERSION_LABEL } from "./names";
import { slotVersion } from "./versions";

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
  /** Names the policy config the printed `pulumi up` attaches the pack with (policy/config/<environment>.json). */
  readonly environment: string;
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

/**
 * One `pulumi config set-all --path` for every key the rollback restores:
 * one CLI start instead of one per key. Keys name the service, never its
 * position. `--path` types values as `config set --path` does (0 a number,
 * false a boolean).
 */
function configSetAll(service: ServiceConfig, ctx: RollbackContext, values: Readonly<Record<string, string | number>>): string {
  const pairs = Object.entries(values).map(([field, value]) => `--plaintext services.${service.name}.${field}=${value}`);
  return `pulumi config set-all --path ${pairs.join(" ")} --stack ${ctx.stack}`;
}

/**
 * `--yes`: without a terminal the CLI refuses to prompt, and the printed line
 * must run unattended. No `--skip-preview`: the preview pass is where the
 * policy pack's stack policies judge the whole plan before anything changes;
 * in the update itself they run only after the resources changed.
 */
/**
 * The update, with the policy pack attached as the README's deploy section does: run from the
 * project's directory, the pack judges the rollback too (by its rollback items). Without the
 * flags the program's own gate still holds; the pack is the independent second judge.
 */
function pulumiUp(ctx: RollbackContext): string {
  return `pulumi up --stack ${ctx.stack} --yes --policy-pack policy --policy-pack-config policy/config/${ctx.environment}.json`;
}

function quote(json: unknown): string {
  return `'${JSON.stringify(json)}'`;
}

function rollingRollback(service: RollingServiceConfig, ctx: RollbackContext): RollbackPlan | undefined {
  if (service.previousVersion === undefined) return undefined;
  const deployment = names.service(service.name);
  const ns = `-n ${ctx.namespace}`;
  const target = service.previousVersion;
  // The pod template as the program writes it for the target version (image,
  // version label and SERVICE_VERSION), merged by container and env name: it
  // works whatever the Deployment's history, where `rollout undo` needs the
  // target to have run here before.
  const template = {
    spec: {
      template: {
        metadata: { labels: { [VERSION_LABEL]: target } },
        spec: { containers: [{ name: service.name, image: `${service.image}:${target}`, env: [{ name: VERSION_ENV, value: target }] }] },
      },
    },
  };
  return {
    target,
    quick: `kubectl patch deployment ${deployment} ${ns} --type=strategic -p ${quote(template)}`,
    pulumi: [configSetAll(service, ctx, { version: target, previousVersion: service.version }), pulumiUp(ctx)].join(" && "),
    verify:
      `kubectl rollout status deployment/${deployment} ${ns} --timeout=${service.progressDeadlineSeconds}s && ` +
      `kubectl get deployment/${deployment} ${ns} -o jsonpath='{.spec.template.spec.containers[0].image}'`,
    expect: `${service.image}:${target}`,
  };
}

function blueGreenRollback(service: BlueGreenServiceConfig, ctx: RollbackContext): RollbackPlan | undefined {
  const standby = otherSlot(service.liveSlot);
  const standbyVersion = slotVersion(service, standby);
  if (standbyVersion === undefined) return undefined;
  const ns = `-n ${ctx.namespace}`;
  const patch = `kubectl patch service ${names.service(service.name)} ${ns} -p ${quote({ spec: { selector: selectorLabels(service.name, standby) } })}`;
  const standbyDeployment = names.slotDeployment(service.name, standby);
  // A retired standby has no pods: bring it back and wait before moving traffic to it.
  const quick = service.retireStandby
    ? `kubectl scale deployment ${standbyDeployment} ${ns} --replicas=${service.replicas} && ` +
      `kubectl rollout status deployment/${standbyDeployment} ${ns} --timeout=${service.progressDeadlineSeconds}s && ${patch}`
    : patch;
  const restore: Record<string, string> = service.retireStandby ? { liveSlot: standby, retireStandby: "false" } : { liveSlot: standby };
  const pulumi = [configSetAll(service, ctx, restore), pulumiUp(ctx)];
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
      : `kubectl patch httproute ${names.httpRoute(service.name)} ${ns} --type=json -p ${quote(routeWeightPatch(service.name, 0))} && ${scale}`;
  return {
    target: `stable ${service.stableVersion} only (canary ${service.canaryVersion} at 0%)`,
    quick,
    pulumi: [configSetAll(service, ctx, { canaryWeight: 0 }), pulumiUp(ctx)].join(" && "),
    verify: `kubectl get pods ${ns} -l app=${service.name},version=canary -o name`,
    expect: "no pods",
  };
}
