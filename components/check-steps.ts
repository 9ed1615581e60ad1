// The checker's steps inside an update (checks/): smoke, verify and notify as
// `@pulumi/command` local commands, children of the strategy component, ordered
// by dependencies. A step re-runs only when its triggers change: what it
// checks (target, version) and the checks' config. Secrets (the webhook, the
// tokens critical requests carry) reach the checker through the command's
// environment as Pulumi secrets; the command line and stdin never carry them.
import { createHash } from "node:crypto";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { ChecksConfig } from "../config/checks";
import type { ServiceConfig } from "../config/schema";
import { secretReferences } from "../checks/secret-references";
import { failureNoticed, KUBECONFIG_ENV, notifyLine, smokeLine, verifyLine, WEBHOOK_ENV, type HttpCheckLine } from "../checks/step-commands";

/** What a strategy component needs to build its service's check steps; absent: the service has no checks. */
export interface ServiceChecksArgs {
  readonly config: ChecksConfig;
  /** The team's webhook (a Pulumi secret). @default - no notifications */
  readonly webhookUrl?: pulumi.Output<string>;
  /** `checkSecrets` (a Pulumi secret): the values critical requests refer to as `${NAME}`. */
  readonly secrets: pulumi.Output<Record<string, string>>;
  /** The target of this update served here before: verify runs one round, so a rollback stays quick. @default false */
  readonly rollback?: boolean;
  /** The service's quick rollback, quoted in a failure notice. @default - none */
  readonly rollbackCommand?: string;
  /** The cluster the provider deploys to, which verify reads EndpointSlices from. @default {} (the checker's KUBECONFIG and current context) */
  readonly cluster?: ClusterSettings;
}

/** The Kubernetes provider's `kubernetes:kubeconfig` (a path or the contents) and `kubernetes:context`. */
export interface ClusterSettings {
  /** @default - KUBECONFIG, then ~/.kube/config */
  readonly kubeconfig?: string;
  /** @default - the kubeconfig's current context */
  readonly context?: string;
}

export interface CheckStepContext {
  readonly service: string;
  readonly environment: string;
  readonly healthPath: string;
  readonly versionPath: string;
  readonly checks: ServiceChecksArgs;
  readonly parent: pulumi.Resource;
}

/** The context of a service's steps; undefined when the service has no checks. */
export function checkContext(
  args: { readonly spec: ServiceConfig; readonly environment: string; readonly checks?: ServiceChecksArgs },
  parent: pulumi.Resource,
): CheckStepContext | undefined {
  if (args.checks === undefined) return undefined;
  return { service: args.spec.name, environment: args.environment, healthPath: args.spec.healthPath, versionPath: args.spec.versionPath, checks: args.checks, parent };
}

/** A short, stable digest of what a step checks, for its triggers (never of a secret). */
export function configDigest(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);
}

/** The critical requests as the checker reads them on stdin: `${NAME}` references only. */
const requestsJson = (config: ChecksConfig): string => JSON.stringify(config.criticalRequests);

/**
 * The secrets the requests refer to, plus the webhook when a check reports its own failure,
 * plus the provider's kubeconfig when the step reads the cluster: it may hold credentials, so
 * it travels as a secret in the environment, never on the command line Pulumi keeps in state.
 */
function checkEnvironment(context: CheckStepContext, withWebhook: boolean, withKubeconfig = false): pulumi.Output<Record<string, string>> | undefined {
  const { checks } = context;
  const names = new Set(
    checks.config.criticalRequests.flatMap((request) => [
      ...Object.values(request.headers).flatMap(secretReferences),
      ...(typeof request.body === "string" ? secretReferences(request.body) : []),
    ]),
  );
  const webhook = withWebhook ? webhookOf(checks) : undefined;
  const kubeconfig = withKubeconfig ? checks.cluster?.kubeconfig : undefined;
  if (names.size === 0 && webhook === undefined && kubeconfig === undefined) return undefined;
  return pulumi.secret(
    pulumi.all([checks.secrets, webhook]).apply(([secrets, url]): Record<string, string> => {
      const env: Record<string, string> = Object.fromEntries([...names].map((name) => [name, secrets[name] ?? ""]));
      if (url !== undefined) env[WEBHOOK_ENV] = url;
      if (kubeconfig !== undefined) env[KUBECONFIG_ENV] = kubeconfig;
      return env;
    }),
  );
}

const webhookOf = (checks: ServiceChecksArgs): pulumi.Output<string> | undefined => (checks.config.notify ? checks.webhookUrl : undefined);

function httpCheck(context: CheckStepContext, url: string, version: string): HttpCheckLine {
  return {
    url,
    expectVersion: version,
    healthPath: context.healthPath,
    versionPath: context.versionPath,
    timeoutSeconds: context.checks.config.smoke.timeoutSeconds,
    withRequests: context.checks.config.criticalRequests.length > 0,
  };
}

function step(
  name: string,
  context: CheckStepContext,
  create: pulumi.Input<string>,
  triggers: readonly unknown[],
  environment: pulumi.Output<Record<string, string>> | undefined,
  dependsOn: readonly pulumi.Resource[],
): command.local.Command {
  const stdin = context.checks.config.criticalRequests.length > 0 ? requestsJson(context.checks.config) : undefined;
  return new command.local.Command(
    name,
    {
      create,
      triggers: [...triggers],
      ...(environment === undefined ? {} : { environment }),
      ...(stdin === undefined ? {} : { stdin }),
      // No `dir`: the provider runs commands in the project's directory, where `npx` finds the checker.
    },
    { parent: context.parent, dependsOn: [...dependsOn] },
  );
}

/** Health, version and critical requests of `version` at `url`, retried until the deadline. */
export function smokeStep(
  name: string,
  context: CheckStepContext,
  target: { readonly what: string; readonly url: string; readonly version: string },
  dependsOn: readonly pulumi.Resource[],
): command.local.Command {
  const { config } = context.checks;
  const line = smokeLine({ ...httpCheck(context, target.url, target.version), deadlineSeconds: config.smoke.deadlineSeconds });
  const create = webhookOf(context.checks) === undefined ? line : failureNoticed(line, notice(context, target.version, `smoke test of ${target.what} failed`));
  const digest = configDigest({ url: target.url, requests: config.criticalRequests, smoke: config.smoke, paths: [context.healthPath, context.versionPath], notify: config.notify });
  return step(name, context, create, ["smoke", target.what, target.version, digest], checkEnvironment(context, true), dependsOn);
}

/**
 * After traffic moved: the checks once a round over the verify window (one
 * round on a rollback), and with `endpoints`, that the live Service's
 * EndpointSlices point only at the new pods.
 */
export function verifyStep(
  name: string,
  context: CheckStepContext,
  target: { readonly what: string; readonly url: string; readonly version: string },
  endpoints: { readonly service: string; readonly namespace: pulumi.Input<string>; readonly expectPods: Record<string, string> } | undefined,
  dependsOn: readonly pulumi.Resource[],
): command.local.Command {
  const { config } = context.checks;
  const window = context.checks.rollback === true ? config.verify.everySeconds : config.verify.forSeconds;
  const clusterContext = context.checks.cluster?.context;
  const cluster = clusterContext === undefined ? {} : { context: clusterContext };
  const create = pulumi.output(endpoints?.namespace).apply((namespace) => {
    const line = verifyLine({
      ...httpCheck(context, target.url, target.version),
      everySeconds: config.verify.everySeconds,
      forSeconds: window,
      errorBudget: config.verify.errorBudget,
      ...(endpoints === undefined || namespace === undefined ? {} : { endpoints: { service: endpoints.service, namespace, expectPods: endpoints.expectPods, ...cluster } }),
    });
    return webhookOf(context.checks) === undefined ? line : failureNoticed(line, notice(context, target.version, `verification of ${target.what} failed`));
  });
  // Not the window: a rollback's one round must not turn into a re-run on the next `up`.
  const digest = configDigest({ url: target.url, requests: config.criticalRequests, verify: { ...config.verify, forSeconds: undefined }, endpoints, ...cluster, paths: [context.healthPath, context.versionPath], notify: config.notify });
  return step(name, context, create, ["verify", target.what, target.version, digest], checkEnvironment(context, true, endpoints !== undefined), dependsOn);
}

function notice(context: CheckStepContext, version: string, reason?: string) {
  return {
    service: context.service,
    version,
    environment: context.environment,
    ...(context.checks.rollbackCommand === undefined ? {} : { rollbackCommand: context.checks.rollbackCommand }),
    ...(context.checks.config.dashboardUrl === undefined ? {} : { dashboardUrl: context.checks.config.dashboardUrl }),
    ...(reason === undefined ? {} : { reason }),
  };
}

/**
 * The start and success notices of the service's update of `target`; none
 * without a webhook. Start has no dependencies, so it goes out as the update
 * begins; success waits for `checksPassed`.
 */
export function notifySteps(
  name: string,
  context: CheckStepContext,
  target: { readonly what: string; readonly version: string },
  checksPassed: readonly pulumi.Resource[],
): { start: command.local.Command; success: command.local.Command } | undefined {
  const webhook = webhookOf(context.checks);
  if (webhook === undefined) return undefined;
  const environment = pulumi.secret(webhook.apply((url) => ({ [WEBHOOK_ENV]: url })));
  const digest = configDigest({ dashboard: context.checks.config.dashboardUrl, rollback: context.checks.rollbackCommand });
  const triggers = [target.what, target.version, digest];
  const start = new command.local.Command(
    `${name}-notify-start`,
    { create: notifyLine({ ...notice(context, target.version), event: "start" }), triggers: ["start", ...triggers], environment },
    { parent: context.parent },
  );
  const success = new command.local.Command(
    `${name}-notify-success`,
    { create: notifyLine({ ...notice(context, target.version), event: "success" }), triggers: ["success", ...triggers], environment },
    { parent: context.parent, dependsOn: [start, ...checksPassed] },
  );
  return { start, success };
}
