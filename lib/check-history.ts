// What the checks remember between updates, in the stack's own outputs: the
// versions that took traffic here, and for the target verify last checked,
// whether that was a rollback (one verify round) or a release (the window).
// The decision sticks to its target, so an `up` that changes nothing builds
// the same step and re-runs nothing.
import type { ServiceConfig } from "../config/schema";
import { slotVersion } from "./versions";

export interface CheckHistory {
  /** What verify checks: `green v3.2.0` (blue-green), `v2.4.0` (rolling), `canary v4.1.0`. */
  readonly target: string;
  /** The version `target` serves. */
  readonly version: string;
  /** True when the target's version had served here before: a rollback, verified by one round. */
  readonly rollback: boolean;
  /** Versions that took traffic through this stack, oldest first (at most SERVED_KEPT). */
  readonly served: readonly string[];
}

export const SERVED_KEPT = 20;

/** What verify (or the canary's smoke test) checks now; undefined when nothing new takes traffic. */
export function checkTarget(service: ServiceConfig): { readonly target: string; readonly version: string } | undefined {
  switch (service.strategy) {
    case "rolling":
      return { target: service.version, version: service.version };
    case "blue-green": {
      const version = slotVersion(service, service.liveSlot) ?? "";
      return { target: `${service.liveSlot} ${version}`, version };
    }
    case "canary":
      return service.canaryVersion === undefined || service.canaryWeight === 0 ? undefined : { target: `canary ${service.canaryVersion}`, version: service.canaryVersion };
  }
}

/** Versions that take traffic after this update. */
export function trafficVersions(service: ServiceConfig): string[] {
  switch (service.strategy) {
    case "rolling":
      return [service.version];
    case "blue-green":
      return [slotVersion(service, service.liveSlot) ?? ""];
    case "canary":
      return [service.stableVersion, ...(service.canaryVersion !== undefined && service.canaryWeight > 0 ? [service.canaryVersion] : [])];
  }
}

/** The history after this update, from the one the last update left (undefined: none, or not read). */
export function nextCheckHistory(service: ServiceConfig, previous: CheckHistory | undefined): CheckHistory | undefined {
  const now = checkTarget(service);
  const served = [...(previous?.served ?? [])];
  for (const version of trafficVersions(service)) {
    const at = served.indexOf(version);
    if (at >= 0) served.splice(at, 1);
    served.push(version);
  }
  if (now === undefined) return previous === undefined ? undefined : { ...previous, served: served.slice(-SERVED_KEPT) };
  const rollback = previous?.target === now.target ? previous.rollback : (previous?.served.includes(now.version) ?? false);
  return { ...now, rollback, served: served.slice(-SERVED_KEPT) };
}

/** The history a service's entry in the last outputs' `checks` holds, if it is well formed. */
export function recordedCheckHistory(checksOutput: unknown, service: string): CheckHistory | undefined {
  if (typeof checksOutput !== "object" || checksOutput === null) return undefined;
  const entry: unknown = (checksOutput as Record<string, unknown>)[service];
  if (typeof entry !== "object" || entry === null) return undefined;
  const { target, version, rollback, served } = entry as Record<string, unknown>;
  if (typeof target !== "string" || typeof version !== "string" || typeof rollback !== "boolean") return undefined;
  if (!Array.isArray(served) || !served.every((v): v is string => typeof v === "string")) return undefined;
  return { target, version, rollback, served };
}
