// What the checks remember between updates, in the stack's own outputs: the
// versions that took traffic here, and for the target verify last checked,
// whether that was a rollback (one verify round) or a release (the window).
// The decision sticks to its target, so an `up` that changes nothing builds
// the same step and re-runs nothing.
import { strategyOf, type ServiceConfig } from "../strategies/registry";
import { checkHistorySchema, readServiceEntry } from "./stack-outputs";

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

/** The history after this update, from the one the last update left (undefined: none, or not read). */
export function nextCheckHistory(service: ServiceConfig, previous: CheckHistory | undefined): CheckHistory | undefined {
  const strategy = strategyOf(service);
  const now = strategy.checkTarget(service);
  const served = [...(previous?.served ?? [])];
  for (const version of strategy.trafficVersions(service)) {
    const at = served.indexOf(version);
    if (at >= 0) served.splice(at, 1);
    served.push(version);
  }
  if (now === undefined) return previous === undefined ? undefined : { ...previous, served: served.slice(-SERVED_KEPT) };
  const rollback = previous?.target === now.target ? previous.rollback : (previous?.served.includes(now.version) ?? false);
  return { ...now, rollback, served: served.slice(-SERVED_KEPT) };
}

/** The history a service's entry in the last outputs' `checks` holds, if it reads through the contract (lib/stack-outputs.ts). */
export function recordedCheckHistory(checksOutput: unknown, service: string, stack = "this stack"): CheckHistory | undefined {
  const read = readServiceEntry(checkHistorySchema, checksOutput, service, `output checks of stack ${stack}`);
  return read.known ? read.value : undefined;
}
