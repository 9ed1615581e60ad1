// The PreDeploymentChecks step of the program: before any resource is
// registered, decide which services this update changes (changed-services.ts),
// gather the checklist for them (checklist/gather.ts, every source bounded),
// and return the update's checklist: fresh results for what changes, the
// recorded ones for what does not. An update that changes no service gathers
// nothing, so it cannot be refused because a clock or a CI run moved on.
import * as pulumi from "@pulumi/pulumi";
import type { ServiceConfig, StackConfig } from "../config/schema";
import { releaseVersions } from "../lib/release-versions";
import { planChecks, serviceFingerprint, updateChecklist, type CurrentService } from "./changed-services";
import type { GatheredChecklist } from "./item";
import type { RecordedChecklist } from "./recorded-checklist";

/** One service the update changes, as the gatherers need it. */
export interface ChangedService {
  readonly name: string;
  /** The version the update brings. */
  readonly version: string;
  /** What a rollback returns to; null when there is nothing to go back to. */
  readonly rollbackTarget: string | null;
  /** Image repository; the version is the tag. */
  readonly image: string;
}

/** What the step hands the gatherers besides the config. */
export interface GatherContext {
  readonly now: Date;
  /** The staging stack's outputs (the staging-first item). */
  readonly readStagingServices: () => Promise<unknown>;
}

/** Gathers the checklist for the services an update changes. */
export type Gather = (config: StackConfig, services: readonly ChangedService[], context: GatherContext) => Promise<GatheredChecklist>;

export interface PreDeploymentChecksArgs {
  readonly config: StackConfig;
  /** What the stack's last update recorded; undefined before the first one. */
  readonly recorded: RecordedChecklist | undefined;
  readonly gather: Gather;
  readonly now: Date;
  readonly readStagingServices: () => Promise<unknown>;
}

export function currentServices(config: StackConfig): CurrentService[] {
  return config.services.map((service) => ({
    name: service.name,
    fingerprint: serviceFingerprint(service, { environment: config.environment, namespace: config.namespace }),
    version: releaseVersions(service).version,
  }));
}

function changedService(service: ServiceConfig): ChangedService {
  const versions = releaseVersions(service);
  return { name: service.name, version: versions.version, rollbackTarget: versions.previousVersion, image: service.image };
}

/** The update's checklist. Logs what was gathered and what was kept, so a preview says why an item did (not) move. */
export async function preDeploymentChecks(args: PreDeploymentChecksArgs): Promise<RecordedChecklist> {
  const current = currentServices(args.config);
  const plan = planChecks(current, args.recorded);
  if (!plan.gather) {
    pulumi.log.info(`pre-deployment checklist: no service changes; keeping the results recorded at ${args.recorded?.release.gatheredAt ?? "?"}`);
    return updateChecklist(current, args.recorded, undefined, {});
  }
  const changed = args.config.services.filter((s) => plan.changed.includes(s.name)).map(changedService);
  const gathered = await args.gather(args.config, changed, { now: args.now, readStagingServices: args.readStagingServices });
  const kept = current.map((s) => s.name).filter((name) => !plan.changed.includes(name));
  pulumi.log.info(
    `pre-deployment checklist gathered at ${gathered.gatheredAt} for ${changed.length === 0 ? "the release only" : changed.map((s) => s.name).join(", ")}` +
      (kept.length === 0 ? "" : `; unchanged, results kept: ${kept.join(", ")}`),
  );
  return updateChecklist(current, args.recorded, gathered, args.config.checklistWaivers);
}

/**
 * Reads another stack's outputs through the engine, as a StackReference
 * does, but as an invoke of the engine's built-in `readStackOutputs`: a
 * StackReference to a stack that does not exist fails the whole update,
 * where the staging-first item must say `unknown` with the reason instead.
 */
export function stackOutputsReader(stack: string): () => Promise<unknown> {
  const name = stack.includes("/") ? stack : `${pulumi.getOrganization()}/${pulumi.getProject()}/${stack}`;
  return async () => {
    const result = (await pulumi.runtime.invoke("pulumi:pulumi:readStackOutputs", { name })) as { outputs?: unknown } | undefined;
    return result?.outputs;
  };
}
