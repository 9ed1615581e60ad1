// What every strategy component takes besides its service's own config, and
// the Workload args every strategy derives from it in the same way.
import type * as pulumi from "@pulumi/pulumi";
import type { Environment, ServiceConfig } from "../config/schema";
import type { PlannedMigration } from "../lib/migration";
import type { Variant } from "../lib/names";
import type { ServiceChecksArgs } from "./check-steps";
import type { WorkloadArgs } from "./workload";

export interface StrategyArgs<Spec extends ServiceConfig> {
  /** The namespace (it may come from the Namespace resource, so objects wait for it). */
  readonly namespace: pulumi.Input<string>;
  readonly environment: Environment;
  /** The service's validated config. */
  readonly spec: Spec;
  /** The service's smoke, verify and notify steps (config/checks.ts). @default - none */
  readonly checks?: ServiceChecksArgs;
  /** The migration the config asks for (strategies/registry.ts plannedMigrationOf). @default - none */
  readonly migration?: PlannedMigration;
}

/** One Deployment of the service: which one, which version, how many pods, after what. */
export interface WorkloadPlacement {
  readonly deploymentName: string;
  /** @default - none (rolling) */
  readonly variant?: Variant;
  readonly version: string;
  readonly replicas: number;
  /** @default [] */
  readonly runsAfter?: readonly pulumi.Resource[];
}

export function workloadArgs(args: StrategyArgs<ServiceConfig>, placement: WorkloadPlacement): WorkloadArgs {
  const { spec } = args;
  return {
    namespace: args.namespace,
    environment: args.environment,
    service: spec.name,
    image: spec.image,
    port: spec.port,
    healthPath: spec.healthPath,
    resources: spec.resources,
    progressDeadlineSeconds: spec.progressDeadlineSeconds,
    revisionHistoryLimit: spec.revisionHistoryLimit,
    envFromSecrets: spec.envFromSecrets,
    podLabels: spec.podLabels,
    ...placement,
  };
}
