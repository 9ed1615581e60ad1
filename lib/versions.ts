// Which versions a service deploys: a blue-green slot's version, and the
// newest of several (a migration's default target).
import * as semver from "semver";
import type { BlueGreenServiceConfig } from "../strategies/blue-green";
import type { SlotName } from "./names";

/** The version a blue-green slot is configured to run, or undefined when the slot is not deployed. */
export function slotVersion(service: BlueGreenServiceConfig, slot: SlotName): string | undefined {
  return slot === "blue" ? service.blueVersion : service.greenVersion;
}

/** The newest of some versions by semver precedence. */
export function newestVersion(versions: readonly string[]): string | undefined {
  return versions.reduce<string | undefined>((newest, v) => (newest === undefined || semver.gt(v, newest) ? v : newest), undefined);
}
