// The migration a service's config asks for: which Job, for which version.
// The component that builds the Job, the stack outputs and the name checks
// all read it from here.
import type { MigrationConfig } from "../config/fields";
import { names } from "./names";
import { newestVersion } from "./versions";

/** What the migration plan reads of a service's config. */
interface MigratingService {
  readonly name: string;
  readonly migration?: MigrationConfig;
}

export interface PlannedMigration {
  readonly config: MigrationConfig;
  /** The Job's name: `<prefix>-<version>`. */
  readonly jobName: string;
  /** The version whose code needs the migration; its Deployments wait for the Job. */
  readonly version: string;
}

/** The Job name prefix: as configured, or `<service>-migration`. */
export function migrationPrefix(service: MigratingService): string {
  return service.migration?.name ?? `${service.name}-migration`;
}

/**
 * The migration the config asks for, for the version configured or else the
 * newest of `versionsDeployed` (every version its strategy keeps a Deployment
 * of: strategies/registry.ts plannedMigrationOf hands them).
 */
export function plannedMigration(service: MigratingService, versionsDeployed: readonly string[]): PlannedMigration | undefined {
  if (service.migration === undefined) return undefined;
  const version = service.migration.version ?? newestVersion(versionsDeployed);
  if (version === undefined) return undefined;
  return { config: service.migration, jobName: names.migrationJob(migrationPrefix(service), version), version };
}
