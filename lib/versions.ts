// Which versions a service deploys: a blue-green slot's version, and the
// newest of several (a migration's default target).
import * as semver from "semver";
import type { BlueGreenServiceConfig } from "../strategies/blue-green";
import type { SlotName } from "./names";

/** The version a blue-green slot is configured to run, or undefined when the slot is not deployed. */
export function slotVersion(service: BlueGreenServiceConfig, slot: SlotName): string | undefined {
  return slot === "blue" ? service.blueVersion : service.greenVersion;
}

/** The live slot's version: the config schema refuses a live slot without one, so its absence is a bug, not a state. */
export function liveSlotVersion(service: BlueGreenServiceConfig): string {
  const version = slotVersion(service, service.liveSlot);
  if (version === undefined) throw new Error(`services.${service.name}.liveSlot '${service.liveSlot}' has no version; the config schema refuses this`);
  return version;
}

/** The newest of some versions by semver precedence. */
export function newestVersion(versions: readonly string[]): string | undefined {
  return versions.reduce<string | undefined>((newest, v) => (newest === undefined || semver.gt(v, newest) ? v : newest), undefined);
}
