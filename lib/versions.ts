// Which versions a service deploys, and which of them a migration is for:
// the one place these facts are derived from the config.
import * as semver from "semver";
import type { BlueGreenServiceConfig, ServiceConfig } from "../config/schema";
import type { SlotName } from "./names";

/** The version a blue-green slot is configured to run, or undefined when the slot is not deployed. */
export function slotVersion(service: BlueGreenServiceConfig, slot: SlotName): string | undefined {
  return slot === "blue" ? service.blueVersion : service.greenVersion;
}

/**
 * Every version that has a Deployment, without repeats: a retired standby
 * and a canary at weight 0 keep their Deployment (at 0 pods) and still count,
 * so a migration's default version does not flip on an abort.
 */
export function versionsDeployed(service: ServiceConfig): string[] {
  const all: (string | undefined)[] =
    service.strategy === "rolling"
      ? [service.version]
      : service.strategy === "blue-green"
        ? [service.blueVersion, service.greenVersion]
        : [service.stableVersion, service.canaryVersion];
  return [...new Set(all.filter((v): v is string => v !== undefined))];
}

/** The newest of some versions by semver precedence. */
export function newestVersion(versions: readonly string[]): string | undefined {
  return versions.reduce<string | undefined>((newest, v) => (newest === undefined || semver.gt(v, newest) ? v : newest), undefined);
}

/** The version whose code needs the migration: as configured, or the newest the service deploys. */
export function migrationTargetVersion(service: ServiceConfig): string | undefined {
  if (service.migration === undefined) return undefined;
  return service.migration.version ?? newestVersion(versionsDeployed(service));
}
