// The migration a service's config asks for: which Job, for which version.
// The component that builds the Job, the stack outputs and the name checks
// all read it from here.
import type { MigrationConfig, ServiceConfig } from "../config/schema";
import { names } from "./names";
import { migrationTargetVersion } from "./versions";

export interface PlannedMigration {
  readonly config: MigrationConfig;
  /** The Job's name: `<prefix>-<version>`. */
  readonly jobName: string;
  /** The version whose code needs the migration; its Deployments wait for the Job. */
  readonly version: string;
}

/** The Job name prefix: as configured, or `<service>-migration`. */
export function migrationPrefix(service: ServiceConfig): string {
  return service.migration?.name ?? `${service.name}-migration`;
}

export function plannedMigration(service: ServiceConfig): PlannedMigration | undefined {
  const version = migrationTargetVersion(service);
  if (service.migration === undefined || version === undefined) return undefined;
  return { config: service.migration, jobName: names.migrationJob(migrationPrefix(service), version), version };
}
