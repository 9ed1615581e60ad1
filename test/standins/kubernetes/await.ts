// Waiting for readiness after create/update, and for disappearance after
// delete, by polling (every 250 ms). Timeouts as the real provider's: the
// `pulumi.com/timeoutSeconds` annotation, else 10 minutes for the kinds it
// awaits; deletion 10 minutes for Deployments, else 5. `pulumi.com/skipAwait`
// skips both. (The customTimeouts resource option cannot reach a provider
// served by `main()`: its create/update/delete get no timeout.)
import { asObject, stringAt, valueAt, type JsonObject } from "../shared/json";
import { skipsAwait, timeoutMs } from "./annotations";
import type { ClusterClient } from "./cluster-client";
import { describe, type ObjectRef } from "./object-ref";
import { deploymentReadiness, jobReadiness, serviceReadiness, serviceWaitsForPods, type Readiness } from "./readiness";

const POLL_MS = 250;
const AWAIT_DEFAULT_SECONDS = 600;
/** The real Service awaiter waits this long after the last endpoint change ("settled"). */
const DEFAULT_SERVICE_SETTLE_MS = 10_000;

/** The object exists but did not become ready (failed, or timed out). */
export class NotReadyError extends Error {
  constructor(
    message: string,
    /** The last live object seen, for the partial state. */
    readonly live: JsonObject | undefined,
  ) {
    super(message);
    this.name = "NotReadyError";
  }
}

export interface AwaitOptions {
  /** Override the poll interval (tests). */
  readonly pollMs?: number;
  /** Aborted when the engine cancels the update (one Ctrl-C): the wait ends as not ready. */
  readonly signal?: AbortSignal;
  /** Override the Service settle period; default SAFE_DEPLOY_STANDIN_SERVICE_SETTLE_MS, else 10 s. */
  readonly serviceSettleMs?: number;
}

type Probe = (live: JsonObject) => Promise<Readiness>;

/** Waits until the object is ready by its kind's rule; returns the last live object read. */
export async function awaitReady(client: ClusterClient, ref: ObjectRef, inputs: JsonObject, options: AwaitOptions = {}): Promise<JsonObject | undefined> {
  if (skipsAwait(inputs)) return undefined;
  const probe = probeFor(client, ref, options);
  if (probe === undefined) return undefined;

  const limitMs = timeoutMs(inputs, AWAIT_DEFAULT_SECONDS);
  const deadline = Date.now() + limitMs;
  let last: Readiness = { state: "waiting", waitingFor: "the object to be read", warnings: [] };
  let live: JsonObject | undefined;
  for (;;) {
    if (options.signal?.aborted === true) {
      throw new NotReadyError(`the update was cancelled while waiting for ${describe(ref)} to become ready`, live);
    }
    live = await client.get(ref);
    if (live === undefined) throw new NotReadyError(`${describe(ref)} was deleted while waiting for it to become ready`, undefined);
    last = await probe(live);
    if (last.state === "ready") return live;
    if (last.state === "failed") throw new NotReadyError(`${describe(ref)} failed to become ready: ${last.reason}`, live);
    if (Date.now() >= deadline) break;
    await sleep(options.pollMs ?? POLL_MS, options.signal);
  }
  const warnings = last.state === "waiting" && last.warnings.length > 0 ? `; ${last.warnings.join("; ")}` : "";
  const waitingFor = last.state === "waiting" ? last.waitingFor : "readiness";
  throw new NotReadyError(
    `timed out after ${String(Math.round(limitMs / 1000))} s waiting for ${describe(ref)} to become ready: ` +
      `still waiting for ${waitingFor}${warnings}`,
    live,
  );
}

/** Waits until the object is gone (404). */
export async function awaitDeleted(client: ClusterClient, ref: ObjectRef, inputs: JsonObject, options: AwaitOptions = {}): Promise<void> {
  if (skipsAwait(inputs)) return;
  const limitMs = timeoutMs(inputs, ref.kind === "Deployment" ? 600 : 300);
  const deadline = Date.now() + limitMs;
  for (;;) {
    const live = await client.get(ref);
    if (live === undefined) return;
    // A Namespace without a phase is gone as far as the real provider is concerned.
    if (ref.kind === "Namespace" && stringAt(live, "status", "phase") === undefined) return;
    if (Date.now() >= deadline) {
      throw new NotReadyError(`timed out after ${String(Math.round(limitMs / 1000))} s waiting for ${describe(ref)} to be deleted`, live);
    }
    if (options.signal?.aborted === true) throw new NotReadyError(`the update was cancelled while waiting for ${describe(ref)} to be deleted`, live);
    await sleep(options.pollMs ?? POLL_MS, options.signal);
  }
}

function probeFor(client: ClusterClient, ref: ObjectRef, options: AwaitOptions): Probe | undefined {
  const key = `${ref.apiVersion}/${ref.kind}`;
  switch (key) {
    case "apps/v1/Deployment":
      return async (live) => {
        const matchLabels = asObject(valueAt(live, "spec", "selector", "matchLabels"));
        const selector = Object.entries(matchLabels).map(([k, v]) => `${k}=${String(v)}`).join(",");
        const replicaSets = await client.list({ apiVersion: "apps/v1", kind: "ReplicaSet" }, ref.namespace, selector || undefined);
        return deploymentReadiness(live, replicaSets);
      };
    case "batch/v1/Job":
      return (live) => Promise.resolve(jobReadiness(live));
    case "v1/Service":
      return serviceProbe(client, ref, options);
    default:
      // Namespaces, PodDisruptionBudgets, custom resources and the rest: ready once they exist.
      return undefined;
  }
}

function serviceProbe(client: ClusterClient, ref: ObjectRef, options: AwaitOptions): Probe {
  const settleMs = options.serviceSettleMs ?? serviceSettleFromEnv() ?? DEFAULT_SERVICE_SETTLE_MS;
  // The real awaiter's informer delivers the existing Endpoints as a change when it starts.
  let lastChange = Date.now();
  let lastVersion: string | undefined;
  return async (live) => {
    if (!serviceWaitsForPods(live)) return serviceReadiness(live, undefined);
    const endpoints = await client.get({ apiVersion: "v1", kind: "Endpoints", name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) });
    const version = stringAt(endpoints, "metadata", "resourceVersion");
    if (version !== lastVersion) {
      lastVersion = version;
      lastChange = Date.now();
    }
    const readiness = serviceReadiness(live, endpoints);
    if (readiness.state !== "ready") return readiness;
    const settledIn = lastChange + settleMs - Date.now();
    return settledIn <= 0 ? readiness : { state: "waiting", waitingFor: `the Service's endpoints to settle (${String(Math.ceil(settledIn / 1000))} s)`, warnings: [] };
  };
}

/** SAFE_DEPLOY_STANDIN_SERVICE_SETTLE_MS: a harness may shorten the real provider's 10 s settle. */
function serviceSettleFromEnv(): number | undefined {
  const raw = process.env["SAFE_DEPLOY_STANDIN_SERVICE_SETTLE_MS"];
  const value = raw === undefined || raw === "" ? Number.NaN : Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
