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
import { strategyOfLive } from "../strategies/registry";
import { z } from "zod";
import { readOutput, readThrough, serviceReportSchema } from "./stack-outputs";

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

/**
 * Whether a stack's outputs show its last update through: every version its
 * `services` claim live is among what `served` read from the objects, and
 * every migration completed. Undefined when the stack has no `served` output
 * (a program from before it): then nothing can be told. Both outputs are
 * read through the contract (lib/stack-outputs.ts): one that does not parse
 * tells nothing either.
 */
export function updateThrough(outputs: unknown, stack = "the stack"): { readonly result: "succeeded" | "failed"; readonly reason: string } | undefined {
  const record = (outputs ?? {}) as { services?: unknown; served?: unknown };
  if (record.served === undefined || record.services === undefined) return undefined;
  // Of `services`, only what is judged here: each service's live state.
  const services = readThrough(z.record(z.string(), serviceReportSchema.pick({ live: true })), record.services, `output services of stack ${stack}`);
  const served = readOutput("served", record.served, stack);
  if (!services.known || !served.known) return undefined;
  for (const [name, service] of Object.entries(services.value)) {
    const entry = served.value[name];
    if (entry === undefined) return { result: "failed", reason: `${name} has no served versions` };
    const missing = strategyOfLive(service.live).liveVersions(service.live).filter((v) => !entry.versions.includes(v));
    if (missing.length > 0) return { result: "failed", reason: `${name} ${missing.join(", ")} is not served (serving: ${entry.versions.join(", ") || "nothing"})` };
    if (entry.migration !== null && !entry.migration.completed) return { result: "failed", reason: `${name}'s migration ${entry.migration.job} did not complete` };
  }
  return { result: "succeeded", reason: "every version live is served and every migration completed" };
}
