// The MigrationJob a service's config asks for, built as a child of the
// strategy component, and the ordering it imposes on that component's Deployments.
import * as pulumi from "@pulumi/pulumi";
import type { Environment, ServiceConfig } from "../config/schema";
import { names } from "../lib/names";
import { migrationTargetVersion } from "../lib/versions";
import { MigrationJob } from "./migration-job";

export interface ServiceMigration {
  readonly job: MigrationJob;
  /** The version whose Deployments wait for the Job. */
  readonly version: string;
}

export function newServiceMigration(
  name: string,
  spec: ServiceConfig,
  context: { readonly namespace: pulumi.Input<string>; readonly environment: Environment },
  parent: pulumi.Resource,
): ServiceMigration | undefined {
  const version = migrationTargetVersion(spec);
  if (spec.migration === undefined || version === undefined) return undefined;
  const job = new MigrationJob(
    `${name}-migration`,
    {
      namespace: context.namespace,
      environment: context.environment,
      service: spec.name,
      prefix: spec.migration.name ?? names.defaultMigrationPrefix(spec.name),
      version,
      image: spec.migration.image ?? spec.image,
      command: spec.migration.command,
      kind: spec.migration.kind,
      backoffLimit: spec.migration.backoffLimit,
      activeDeadlineSeconds: spec.migration.activeDeadlineSeconds,
      resources: spec.resources,
      envFromSecrets: spec.migration.envFromSecrets,
      podLabels: spec.migration.podLabels,
    },
    { parent },
  );
  return { job, version };
}

/** What a Deployment of `version` waits for: the migration its code needs, if any. */
export function runsAfterMigration(migration: ServiceMigration | undefined, version: string): pulumi.Resource[] {
  return migration !== undefined && migration.version === version ? [migration.job] : [];
}
