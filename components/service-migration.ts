// The MigrationJob a service's config asks for (planned by its strategy:
// strategies/registry.ts plannedMigrationOf), built as a child of the
// strategy component, and the ordering it imposes on that component's Deployments.
import type * as pulumi from "@pulumi/pulumi";
import type { Environment, ServiceConfig } from "../config/schema";
import { migrationPrefix, type PlannedMigration } from "../lib/migration";
import { MigrationJob } from "./migration-job";

export interface ServiceMigration {
  readonly job: MigrationJob;
  /** The version whose Deployments wait for the Job. */
  readonly version: string;
}

export function newServiceMigration(
  name: string,
  spec: ServiceConfig,
  context: { readonly namespace: pulumi.Input<string>; readonly environment: Environment; readonly migration?: PlannedMigration },
  parent: pulumi.Resource,
): ServiceMigration | undefined {
  const planned = context.migration;
  if (planned === undefined) return undefined;
  const { config } = planned;
  const job = new MigrationJob(
    `${name}-migration`,
    {
      namespace: context.namespace,
      environment: context.environment,
      service: spec.name,
      prefix: migrationPrefix(spec),
      version: planned.version,
      image: config.image ?? spec.image,
      command: config.command,
      kind: config.kind,
      backoffLimit: config.backoffLimit,
      activeDeadlineSeconds: config.activeDeadlineSeconds,
      resources: spec.resources,
      envFromSecrets: config.envFromSecrets,
      podLabels: config.podLabels,
    },
    { parent },
  );
  return { job, version: planned.version };
}

/** What a Deployment of `version` waits for: the migration its code needs, if any. */
export function runsAfterMigration(migration: ServiceMigration | undefined, version: string): pulumi.Resource[] {
  return migration !== undefined && migration.version === version ? [migration.job] : [];
}
