// The safe-deploy program: stack config -> typed specs -> components -> outputs.
// `index.ts` hands this function to `pulumi up`; the end-to-end tests and the
// rehearsal run the very same function as an Automation API inline program.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { configKeyPath, parseStackConfig, rawConfigFromAll, StackConfigError } from "./config/load";
import { isConfigSecret, plainCredentialProblems } from "./config/plain-credentials";
import type { ServiceConfig, StackConfig } from "./config/schema";
import type { ClusterSettings, ServiceChecksArgs } from "./components/check-steps";
import { DeploymentRecord } from "./components/deployment-record";
import { gatherChecklist, stagingStackName, stagingStackProblems, type GatherOptions } from "./checklist/gather";
import { preDeploymentChecks, stagingReader, type Gather } from "./checklist/pre-deployment-checks";
import { recordedChecklistOf, type RecordedChecklist } from "./checklist/recorded-checklist";
import { productionGate } from "./checklist/production-gate";
import { servedVersions, type DeploymentOutputs, type ServedService } from "./lib/served";
import { nextCheckHistory, recordedCheckHistory, type CheckHistory } from "./lib/check-history";
import { PART_OF, VERSION_LABEL } from "./lib/names";
import { renderRunbook } from "./lib/runbook";
import { serviceReport } from "./lib/service-report";
import { readOutput, readThrough, stackOutputsSchema, type StackOutputsData } from "./lib/stack-outputs";
import { plannedMigrationOf, strategyOf } from "./strategies/registry";
import type { DeclaredService } from "./strategies/strategy";

/**
 * The stack outputs, as their contract (lib/stack-outputs.ts) types them; `served` is still
 * an Output here: it resolves only once the provider has every Deployment ready.
 */
export type StackOutputs = Omit<StackOutputsData, "served"> & { readonly served: pulumi.Input<Readonly<Record<string, pulumi.Input<ServedService>>>> };

/** What the stack's last update left, as far as this update needs it. */
export interface PreviousState {
  /** The checks' history per service with checks, from the last outputs. @default - unknown */
  readonly checks?: Readonly<Record<string, CheckHistory | undefined>>;
  /** The checklist the last update recorded (`checklist` output). @default - none: everything is gathered */
  readonly checklist?: RecordedChecklist;
  /** Each service's `live` from the last `services` output, which the record carries as `from`. @default {} */
  readonly live?: Readonly<Record<string, unknown>>;
}

/** What the end-to-end harness and unit tests may set; deliberately no stack config key, which users could set to open the window. */
export interface ProgramOptions {
  /** The clock the checklist judges by. @default the system clock */
  readonly now?: () => Date;
  /** Gathers the checklist. @default gatherChecklist (checklist/gather.ts) */
  readonly gather?: Gather;
  /** More options for the gatherers, e.g. a shorter bound. @default {} */
  readonly gatherOptions?: Partial<GatherOptions>;
}

/** Reads and validates the stack config (throwing before any resource exists), then deploys it. */
export async function program(options: ProgramOptions = {}): Promise<StackOutputs> {
  const config = parseStackConfig(rawConfigFromAll(pulumi.runtime.allConfig()));
  const problems = [
    ...plainCredentialProblems(config, isConfigSecret, pulumi.getStack()),
    ...stagingStackProblems(config.checklist, pulumi.getOrganization(), pulumi.getProject(), pulumi.getStack()),
  ];
  if (problems.length > 0) throw new StackConfigError(problems);
  const previous = await previousState(config);
  // PreDeploymentChecks: before any resource is registered, for what this update changes.
  const cluster = kubernetesSettings();
  const checklist = await preDeploymentChecks({
    config,
    recorded: previous.checklist,
    ...(previous.live === undefined ? {} : { previousLive: previous.live }),
    gather: options.gather ?? gatherChecklist,
    options: {
      now: (options.now ?? (() => new Date()))(),
      readStaging: stagingReader(stagingStackName(config.checklist, pulumi.getOrganization(), pulumi.getProject())),
      ...(cluster.kubeconfig === undefined ? {} : { kubeconfig: cluster.kubeconfig }),
      ...(cluster.context === undefined ? {} : { kubeContext: cluster.context }),
      ...options.gatherOptions,
    },
  });
  if (config.environment === "production") productionGate(config, checklist, { stack: pulumi.getStack(), projectDir: __dirname });
  return deployStack(config, pulumi.getStack(), previous, checklist, cluster);
}

/** The Kubernetes provider's own settings: every check reads the cluster the provider deploys to (lib/kubeconfig.ts reads them as it does). */
function kubernetesSettings(): ClusterSettings {
  const kubernetes = new pulumi.Config("kubernetes");
  const kubeconfig = kubernetes.get("kubeconfig");
  const context = kubernetes.get("context");
  return { ...(kubeconfig === undefined ? {} : { kubeconfig }), ...(context === undefined ? {} : { context }) };
}

/**
 * What the last update left, from the stack's own outputs through a
 * StackReference to itself. Chosen over reading the cluster: it is what the
 * program itself declared (a quick `kubectl scale` does not change which way
 * the next step goes), needs no credentials beyond the state the engine
 * already holds, and answers the same in `preview`. The engine hands a stack
 * policy the registered resources only, never this read: what the pack needs
 * of it (each service's `live` before its release) travels on the
 * DeploymentRecord as `from`. Every stack reads its recorded checklist here
 * (checklist/changed-services.ts says why).
 */
async function previousState(config: StackConfig): Promise<PreviousState> {
  // Services with checks read what their checks last did (a rollback verifies in one round), in any environment.
  const checked = config.services.filter((s) => s.checks !== undefined);
  const self = new pulumi.StackReference("previous-outputs", {
    name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
  });
  const stack = pulumi.getStack();
  const recorded = readOutput("checklist", (await self.getOutputDetails("checklist")).value, stack);
  const checklist = recorded.known ? recordedChecklistOf(recorded.value) : undefined;
  const live = liveByService((await self.getOutputDetails("services")).value);
  if (checked.length === 0) return { checklist, live };
  const checks = (await self.getOutputDetails("checks")).value;
  return { checklist, live, checks: Object.fromEntries(checked.map((s) => [s.name, recordedCheckHistory(checks, s.name, stack)])) };
}

/**
 * `services.<name>.live` of a `services` output, by name, as it was written
 * ({} when there is none): the record carries it as `from` whatever its shape,
 * and each reader parses it through the contract (lib/stack-outputs.ts).
 */
function liveByService(services: unknown): Record<string, unknown> {
  if (services === null || typeof services !== "object") return {};
  return Object.fromEntries(Object.entries(services as Record<string, { live?: unknown }>).map(([name, report]) => [name, report?.live ?? null]));
}

export function deployStack(config: StackConfig, stack: string, previous: PreviousState, checklist: RecordedChecklist, cluster: ClusterSettings = {}): StackOutputs {
  const namespace: pulumi.Input<string> = config.createNamespace
    ? new k8s.core.v1.Namespace("namespace", {
        metadata: {
          name: config.namespace,
          labels: {
            "app.kubernetes.io/part-of": PART_OF,
            "safe-deploy.dev/environment": config.environment,
            // Pods here must meet the restricted Pod Security Standard, which Workload's template does.
            "pod-security.kubernetes.io/enforce": "restricted",
          },
        },
      }).metadata.name
    : config.namespace;

  const reports = config.services.map((spec) => serviceReport(spec, { namespace: config.namespace, stack, environment: config.environment }));
  const histories: Record<string, CheckHistory> = {};
  const served: Record<string, pulumi.Output<ServedService>> = {};
  config.services.forEach((spec, i) => {
    const strategy = strategyOf(spec);
    for (const warning of strategy.configWarnings(spec)) pulumi.log.warn(`${configKeyPath(["services", spec.name, ...warning.path])}: ${warning.message}`);
    const history = spec.checks === undefined ? undefined : nextCheckHistory(spec, previous.checks?.[spec.name]);
    if (history !== undefined) histories[spec.name] = history;
    const checks = spec.checks === undefined ? undefined : checksArgs(spec.checks, config, history, reports[i]?.rollback?.quick, cluster);
    // What the last update reported live for this service, if it reads as this strategy's (unknown: taken as nothing).
    const before = readThrough(strategy.liveSchema, previous.live?.[spec.name] ?? undefined, `the last live state of ${spec.name}`);
    const declared = strategy.declare(spec, { namespace, environment: config.environment, checks, migration: plannedMigrationOf(spec) }, before.known ? before.value : undefined);
    served[spec.name] = servedBy(declared);
  });
  new DeploymentRecord("deployment-record", {
    namespace,
    stack,
    environment: config.environment,
    checklist,
    services: config.services.map((spec, i) => ({ name: spec.name, strategy: spec.strategy, ...strategyOf(spec).releaseVersions(spec), rollback: reports[i]?.rollback ?? null })),
  });

  // Built through the outputs' contract (lib/stack-outputs.ts): what readers parse is what was written.
  const known = stackOutputsSchema.omit({ served: true }).parse({
    stack,
    environment: config.environment,
    namespace: config.namespace,
    services: Object.fromEntries(reports.map((report) => [report.name, report])),
    runbook: renderRunbook(reports, { stack, environment: config.environment, namespace: config.namespace }),
    ...(Object.keys(histories).length === 0 ? {} : { checks: histories }),
    checklist,
  });
  return { ...known, served };
}

/** What a service's objects serve, once the provider has them ready (lib/served.ts). */
function servedBy(declared: DeclaredService): pulumi.Output<ServedService> {
  const deployments = declared.deployments.map((deployment) =>
    pulumi.all([deployment.metadata, deployment.spec]).apply(
      ([metadata, spec]): DeploymentOutputs => ({ version: metadata.labels?.[VERSION_LABEL], replicas: spec.replicas }),
    ),
  );
  const job = declared.migration?.job;
  const migration =
    job === undefined
      ? pulumi.output(null)
      : pulumi.all([job.jobName, job.job.metadata, job.job.status]).apply(([name, metadata, status]) => ({
          job: name,
          version: metadata.labels?.[VERSION_LABEL] ?? "",
          completed: (status?.succeeded ?? 0) >= 1,
        }));
  return pulumi.all([pulumi.all(deployments), migration]).apply(([outputs, ran]) => ({ versions: servedVersions(outputs), migration: ran }));
}

/** A service's checks as its component takes them: the webhook and the tokens as Pulumi secrets from here on. */
function checksArgs(
  checks: NonNullable<ServiceConfig["checks"]>,
  config: StackConfig,
  history: CheckHistory | undefined,
  rollbackCommand: string | undefined,
  cluster: ClusterSettings,
): ServiceChecksArgs {
  return {
    config: checks,
    secrets: pulumi.secret(config.checkSecrets),
    ...(config.webhookUrl === undefined ? {} : { webhookUrl: pulumi.secret(config.webhookUrl) }),
    rollback: history?.rollback ?? false,
    ...(rollbackCommand === undefined ? {} : { rollbackCommand }),
    ...(Object.keys(cluster).length === 0 ? {} : { cluster }),
  };
}
