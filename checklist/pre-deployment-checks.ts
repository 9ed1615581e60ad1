// The PreDeploymentChecks step of the program: before any resource is
// registered, decide which services this update changes (changed-services.ts),
// gather the checklist for them (checklist/gather.ts, every source bounded),
// and return the update's checklist: fresh results for what changes, the
// recorded ones for what does not. An update that changes no service gathers
// nothing, so it cannot be refused because a clock or a CI run moved on.
import * as pulumi from "@pulumi/pulumi";
import { waiversInForce } from "../config/checklist-waivers";
import type { StackConfig } from "../config/schema";
import { updateThrough } from "../lib/served";
import { readThrough } from "../lib/stack-outputs";
import { liveStateSchema, plannedMigrationOf, strategyOf, strategyOfLive, type ServiceConfig } from "../strategies/registry";
import { planChecks, serviceFingerprint, updateChecklist, type CurrentService } from "./changed-services";
import type { ChangedService, ChecklistRequest, GatherOptions } from "./gather";
import type { GatheredChecklist } from "./item";
import type { RecordedChecklist } from "./recorded-checklist";

/** gatherChecklist's shape (checklist/gather.ts); unit tests under mocks hand in their own. */
export type Gather = (config: StackConfig["checklist"], request: ChecklistRequest, options: GatherOptions) => Promise<GatheredChecklist>;

export interface PreDeploymentChecksArgs {
  readonly config: StackConfig;
  /** What the stack's last update recorded; undefined before the first one. */
  readonly recorded: RecordedChecklist | undefined;
  /** Each service's `live` output from the stack's last update. @default {} (the first update) */
  readonly previousLive?: Readonly<Record<string, unknown>>;
  readonly gather: Gather;
  /** The clock, the staging reader, the kubeconfig: handed to the gatherers as is. */
  readonly options: GatherOptions;
}

export function currentServices(config: StackConfig): CurrentService[] {
  return config.services.map((service) => ({
    name: service.name,
    fingerprint: serviceFingerprint(service, { environment: config.environment, namespace: config.namespace }),
    ...strategyOf(service).releaseVersions(service),
  }));
}

/** The versions a previous `live` output says took traffic; none when it does not parse (lib/stack-outputs.ts). */
function servedBefore(live: unknown): string[] {
  const read = readThrough(liveStateSchema, live, "the last live state");
  return read.known ? strategyOfLive(read.value).liveVersions(read.value) : [];
}

function changedService(service: ServiceConfig, previousLive: unknown): ChangedService {
  const versions = strategyOf(service).releaseVersions(service);
  const migration = plannedMigrationOf(service);
  return {
    name: service.name,
    version: versions.version,
    image: service.image,
    ...(servedBefore(previousLive).includes(versions.version) ? { servedBefore: true } : {}),
    ...(previousLive === undefined || previousLive === null ? { firstDeployment: true } : {}),
    ...(versions.previousVersion === null ? {} : { rollbackVersion: versions.previousVersion }),
    ...(migration === undefined ? {} : { migrationVersion: migration.version }),
  };
}

/** The update's checklist. Logs what was gathered and what was kept, so a preview says why an item did (not) move. */
export async function preDeploymentChecks(args: PreDeploymentChecksArgs): Promise<RecordedChecklist> {
  const current = currentServices(args.config);
  const plan = planChecks(current, args.recorded);
  if (!plan.gather) {
    pulumi.log.info(`pre-deployment checklist: no service changes; keeping the results recorded at ${args.recorded?.release.gatheredAt ?? "?"}`);
    return updateChecklist(current, args.recorded, undefined, {});
  }
  const changed = args.config.services.filter((s) => plan.changed.includes(s.name)).map((s) => changedService(s, args.previousLive?.[s.name]));
  const gathered = await args.gather(args.config.checklist, { namespace: args.config.namespace, services: changed }, args.options);
  const kept = current.map((s) => s.name).filter((name) => !plan.changed.includes(name));
  pulumi.log.info(
    `pre-deployment checklist gathered at ${gathered.gatheredAt} for ${changed.length === 0 ? "the release only" : changed.map((s) => s.name).join(", ")}` +
      (kept.length === 0 ? "" : `; unchanged, results kept: ${kept.join(", ")}`),
  );
  const waivers = waiversInForce(args.config.checklistWaivers, gathered.gatheredAt);
  if (waivers.expired.length > 0) {
    pulumi.log.warn(`expired, waiving nothing: ${waivers.expired.map((w) => `safe-deploy:checklistWaivers.${w}`).join(", ")}; remove them, or waive again with a new until`);
  }
  return updateChecklist(current, args.recorded, gathered, waivers.inForce, args.previousLive);
}

/**
 * Reads the staging stack's outputs through the engine, as a StackReference
 * does, but as an invoke of the engine's built-in `readStackOutputs`: a
 * StackReference to a stack that does not exist fails the whole update,
 * where staging-first must be `unknown` with the reason instead. What it
 * trusts: `services` says which versions staging's config runs, and
 * `served` (lib/served.ts), read from staging's ready Deployments and
 * completed Jobs, says they got there; staging's last update counts as
 * through only when the two agree.
 */
export function stagingReader(stack: string): NonNullable<GatherOptions["readStaging"]> {
  return async () => {
    const result = (await pulumi.runtime.invoke("pulumi:pulumi:readStackOutputs", { name: stack })) as { outputs?: unknown } | undefined;
    const outputs = result?.outputs as { services?: unknown } | undefined;
    const through = updateThrough(outputs, stack);
    return { stack, services: outputs?.services, ...(through === undefined ? {} : { lastUpdate: { result: through.result } }) };
  };
}
