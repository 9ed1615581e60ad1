// Which versions a service runs, and which of them a migration is for.
import * as semver from "semver";
import type { ServiceConfig } from "../config/schema";

/** Every version the service's config deploys, without repeats. */
export function versionsRun(service: ServiceConfig): string[] {
  const all: (string | undefined)[] =
    service.strategy === "rolling"
      ? [service.version]
      : service.strategy === "blue-green"
        ? [service.blueVersion, service.greenVersion]
        : [service.stableVersion, service.canaryWeight > 0 ? service.canaryVersion : undefined];
  return [...new Set(all.filter((v): v is string => v !== undefined))];
}

/** The version whose code needs the migration: as configured, or the newest the service runs. */
export function migrationTargetVersion(service: ServiceConfig): string | undefined {
  if (service.migration === undefined) return undefined;
  if (service.migration.version !== undefined) return service.migration.version;
  const run = versionsRun(service);
  return run.reduce<string | undefined>((newest, v) => (newest === undefined || semver.gt(v, newest) ? v : newest), undefined);
}
