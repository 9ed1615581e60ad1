// What a stack really serves, as its objects say once the engine has them
// ready: the `served` stack output. Unlike `services` (what the config asks
// for, known before anything runs), each entry here is read from the
// Deployments' and the migration Job's outputs, which the Kubernetes provider
// resolves only after the rollout is ready and the Job complete; an update
// that fails on the way never gets to write them. staging-first trusts this.
// It relies only on what the provider guarantees when a step succeeds: the
// new ReplicaSet's pods are ready. Not on the Deployment's own status counts,
// which the real provider returns as last seen, possibly behind the rollout
// it just awaited (4 replicas, 3 available); only a refresh would catch up.
import type { LiveState } from "./live-state";

export interface ServedService {
  /** Versions of Deployments that run pods, every one updated and available. */
  readonly versions: readonly string[];
  /** The migration Job of this config, and whether it succeeded. */
  readonly migration: { readonly job: string; readonly version: string; readonly completed: boolean } | null;
}

/** The parts of a Deployment's outputs that say what it serves: its template's version and its replicas. */
export interface DeploymentOutputs {
  readonly version: string | undefined;
  readonly replicas: number | undefined;
}

/** The versions the Deployments serve: those whose step succeeded (their outputs exist) with pods. */
export function servedVersions(deployments: readonly DeploymentOutputs[]): string[] {
  const served = deployments.filter((d) => d.version !== undefined && (d.replicas ?? 0) > 0);
  return [...new Set(served.map((d) => d.version as string))];
}

/** Versions the live state says take traffic: a canary only while it has pods. */
export function liveVersions(live: LiveState): string[] {
  switch (live.strategy) {
    case "rolling":
    case "blue-green":
      return [live.version];
    case "canary":
      return [live.stable.version, ...(live.canary.version !== null && live.canary.replicas > 0 ? [live.canary.version] : [])];
  }
}

/**
 * Whether a stack's outputs show its last update through: every version its
 * `services` claim live is among what `served` read from the objects, and
 * every migration completed. Undefined when the stack has no `served` output
 * (a program from before it): then nothing can be told.
 */
export function updateThrough(outputs: unknown): { readonly result: "succeeded" | "failed"; readonly reason: string } | undefined {
  const record = (outputs ?? {}) as { services?: Record<string, { live?: LiveState }>; served?: Record<string, ServedService> };
  if (record.served === undefined || record.services === undefined) return undefined;
  for (const [name, service] of Object.entries(record.services)) {
    const served = record.served[name];
    if (served === undefined || service.live === undefined) return { result: "failed", reason: `${name} has no served versions` };
    const missing = liveVersions(service.live).filter((v) => !served.versions.includes(v));
    if (missing.length > 0) return { result: "failed", reason: `${name} ${missing.join(", ")} is not served (serving: ${served.versions.join(", ") || "nothing"})` };
    if (served.migration !== null && !served.migration.completed) return { result: "failed", reason: `${name}'s migration ${served.migration.job} did not complete` };
  }
  return { result: "succeeded", reason: "every version live is served and every migration completed" };
}
