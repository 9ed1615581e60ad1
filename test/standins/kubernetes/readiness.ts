// When an object counts as ready, as the real provider documents it for each
// kind (the "This resource waits until its status is ready" notes in
// @pulumi/kubernetes, and provider/pkg/await/*.go). Pure functions of the
// objects read from the cluster; await.ts does the reading and the waiting.
import { asObject, numberAt, stringAt, valueAt, type JsonObject } from "../shared/json";

export type Readiness =
  | { readonly state: "ready" }
  /** `waitingFor` says what is missing; `warnings` carry conditions worth quoting on timeout. */
  | { readonly state: "waiting"; readonly waitingFor: string; readonly warnings: readonly string[] }
  | { readonly state: "failed"; readonly reason: string };

const READY: Readiness = { state: "ready" };
const waiting = (waitingFor: string, warnings: readonly string[] = []): Readiness => ({ state: "waiting", waitingFor, warnings });

export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";

interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
}

function conditions(object: unknown): Condition[] {
  const list = valueAt(object, "status", "conditions");
  if (!Array.isArray(list)) return [];
  return list.map(asObject).map((c) => ({
    type: String(c["type"] ?? ""),
    status: String(c["status"] ?? ""),
    reason: String(c["reason"] ?? ""),
    message: String(c["message"] ?? ""),
  }));
}

const quote = (c: Condition): string => `[${c.reason}] ${c.message}`.trim();

/**
 * A Deployment is ready, as the real provider decides it (measured: shared/TOOLCHAIN.md, "What the
 * engine and the real provider hand a program"), when its controller has seen the latest
 * generation and the ReplicaSet of the current revision runs the Deployment's replicas, every one
 * ready. The Deployment's own status (its Available condition, available and updated counts) is not
 * waited for: it can still lag, and the object returned is the one last read, as the real provider
 * returns it. A Progressing=False condition (ProgressDeadlineExceeded) is reported but, as in the
 * real provider, does not end the wait: the timeout does.
 */
export function deploymentReadiness(deployment: JsonObject, replicaSets: readonly JsonObject[]): Readiness {
  const generation = numberAt(deployment, "metadata", "generation") ?? 0;
  const observed = numberAt(deployment, "status", "observedGeneration");
  if (observed === undefined || observed < generation) {
    return waiting(`the Deployment controller to observe generation ${String(generation)}`);
  }
  const revision = stringAt(deployment, "metadata", "annotations", REVISION_ANNOTATION);
  if (revision === undefined || revision === "") return waiting("the Deployment controller to create a ReplicaSet");

  const warnings = conditions(deployment).filter((c) => (c.type === "Progressing" || c.type === "Available") && c.status !== "True").map(quote);
  const uid = stringAt(deployment, "metadata", "uid");
  const current = replicaSets.find(
    (rs) => ownedBy(rs, uid) && stringAt(rs, "metadata", "annotations", REVISION_ANNOTATION) === revision,
  );
  if (current === undefined) return waiting(`the ReplicaSet of revision ${revision}`, warnings);
  // The Deployment's replicas, not the ReplicaSet's: mid-rollout the new ReplicaSet runs fewer.
  const wanted = numberAt(deployment, "spec", "replicas") ?? 1;
  const scaled = numberAt(current, "spec", "replicas") ?? 1;
  const ready = numberAt(current, "status", "readyReplicas") ?? 0;
  if (scaled >= wanted && ready >= wanted) return READY;
  return waiting(`the Deployment to become available: ${String(ready)}/${String(wanted)} Pods of revision ${revision} ready`, warnings);
}

/** A Job is ready when it has the Complete condition; the Failed condition fails it at once. */
export function jobReadiness(job: JsonObject): Readiness {
  const all = conditions(job);
  const failed = all.find((c) => c.type === "Failed" && c.status === "True");
  if (failed !== undefined) return { state: "failed", reason: `the Job failed: ${quote(failed)}` };
  if (all.some((c) => c.type === "Complete" && c.status === "True")) return READY;
  const count = (field: string): string => String(numberAt(job, "status", field) ?? 0);
  return waiting(`the Job to complete (active ${count("active")}, succeeded ${count("succeeded")}, failed ${count("failed")})`);
}

export const SERVICE_HAS_NO_PODS =
  "Service does not target any Pods. Selected Pods may not be ready, or field '.spec.selector' may not match labels on any Pods";

/** Whether a Service waits for endpoints at all: not for ExternalName, headless or selector-less Services. */
export function serviceWaitsForPods(service: JsonObject): boolean {
  if (stringAt(service, "spec", "type") === "ExternalName") return false;
  if (stringAt(service, "spec", "clusterIP") === "None") return false;
  const selector = asObject(valueAt(service, "spec", "selector"));
  return Object.keys(selector).length > 0;
}

/**
 * A Service is ready when its Endpoints object (named as the Service) lists at
 * least one ready address, and, for type LoadBalancer, an ingress address was
 * allocated. The settle period after the last endpoint change is await.ts's.
 */
export function serviceReadiness(service: JsonObject, endpoints: JsonObject | undefined): Readiness {
  if (stringAt(service, "spec", "type") === "LoadBalancer") {
    const ingress = valueAt(service, "status", "loadBalancer", "ingress");
    if (!Array.isArray(ingress) || ingress.length === 0) {
      return waiting("Service was not allocated an IP address; does your cloud provider support this?");
    }
  }
  if (!serviceWaitsForPods(service)) return READY;
  const subsets = valueAt(endpoints, "subsets");
  const hasReadyAddress =
    Array.isArray(subsets) && subsets.some((subset) => {
      const addresses = valueAt(subset, "addresses");
      return Array.isArray(addresses) && addresses.length > 0;
    });
  return hasReadyAddress ? READY : waiting(SERVICE_HAS_NO_PODS);
}

function ownedBy(object: JsonObject, uid: string | undefined): boolean {
  const owners = valueAt(object, "metadata", "ownerReferences");
  return uid !== undefined && Array.isArray(owners) && owners.some((owner) => stringAt(owner, "uid") === uid);
}
