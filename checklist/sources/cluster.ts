// cluster-healthy: the Kubernetes API answers with the provider's
// kubeconfig, every node is Ready, and no pod of the namespace is crash
// looping, failing to pull its image, failed, or Pending longer than a bound.
import type { KubeConfig, V1Node, V1Pod } from "@kubernetes/client-node" with { "resolution-mode": "import" };
import type { ItemResult } from "../item";
import { fail, pass } from "../results";
import { boundedRequests, kubeClient } from "../../lib/kube-api";
import { loadKubeConfig } from "../../lib/kubeconfig";


/** Container waiting reasons that mean the pod will not come up by itself. */
export const FAILING_WAIT_REASONS = new Set(["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError", "RunContainerError"]);

export interface NodeFact {
  readonly name: string;
  readonly ready: boolean;
  /** The Ready condition's reason or message when not Ready. */
  readonly why?: string;
}

export interface PodFact {
  readonly name: string;
  readonly phase: string;
  readonly createdAt: string;
  /** Waiting reasons of its containers (init containers too). */
  readonly waiting: readonly string[];
  /** Owned by a Job: a Job's failed attempts are the Job's to count. */
  readonly ofJob: boolean;
  readonly reason?: string;
}

export interface ClusterFacts {
  readonly server: string;
  readonly namespace: string;
  readonly nodes: readonly NodeFact[];
  readonly pods: readonly PodFact[];
}

/** Why a pod counts as failing, or undefined when it does not. */
export function podProblem(pod: PodFact, now: Date, pendingBoundSeconds: number): string | undefined {
  const failing = pod.waiting.filter((reason) => FAILING_WAIT_REASONS.has(reason));
  if (failing.length > 0) return `${pod.name} ${[...new Set(failing)].join(", ")}`;
  if (pod.phase === "Failed" && !pod.ofJob) return `${pod.name} Failed${pod.reason === undefined ? "" : ` (${pod.reason})`}`;
  if (pod.phase === "Pending") {
    const pendingSeconds = Math.round((now.getTime() - Date.parse(pod.createdAt)) / 1000);
    if (pendingSeconds > pendingBoundSeconds) return `${pod.name} Pending for ${pendingSeconds} s (bound ${pendingBoundSeconds} s)`;
  }
  return undefined;
}

function listed(items: readonly string[]): string {
  return items.length <= 5 ? items.join("; ") : `${items.slice(0, 5).join("; ")} and ${items.length - 5} more`;
}

export function decideClusterHealth(facts: ClusterFacts, now: Date, pendingBoundSeconds: number, source: string): ItemResult {
  const item = "cluster-healthy";
  const notReady = facts.nodes.filter((node) => !node.ready).map((node) => `${node.name}${node.why === undefined ? "" : ` (${node.why})`}`);
  const failingPods = facts.pods.map((pod) => podProblem(pod, now, pendingBoundSeconds)).filter((p): p is string => p !== undefined);
  const problems: string[] = [];
  if (facts.nodes.length === 0) problems.push("the cluster has no nodes");
  if (notReady.length > 0) problems.push(`${notReady.length} of ${facts.nodes.length} node(s) not Ready: ${listed(notReady)}`);
  if (failingPods.length > 0) problems.push(`${failingPods.length} pod(s) failing in namespace ${facts.namespace}: ${listed(failingPods)}`);
  if (problems.length > 0) {
    return fail(item, source, problems.join("; "), `make the cluster healthy first (kubectl get nodes; kubectl get pods -n ${facts.namespace}); a release onto a sick cluster hides whether the release broke it`);
  }
  return pass(item, source, `${facts.nodes.length} node(s) Ready, ${facts.pods.length} pod(s) in namespace ${facts.namespace}, none failing`);
}

function nodeFact(node: V1Node): NodeFact {
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  const name = node.metadata?.name ?? "(unnamed)";
  if (ready?.status === "True") return { name, ready: true };
  const why = ready === undefined ? "no Ready condition" : (ready.reason ?? ready.message ?? `Ready ${ready.status}`);
  return { name, ready: false, why };
}

function podFact(pod: V1Pod): PodFact {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const waiting = statuses.map((s) => s.state?.waiting?.reason).filter((r): r is string => r !== undefined);
  const created = pod.metadata?.creationTimestamp;
  const fact = {
    name: pod.metadata?.name ?? "(unnamed)",
    phase: pod.status?.phase ?? "Unknown",
    createdAt: created === undefined ? new Date(0).toISOString() : new Date(created).toISOString(),
    waiting,
    ofJob: (pod.metadata?.ownerReferences ?? []).some((owner) => owner.kind === "Job"),
  };
  return pod.status?.reason === undefined ? fact : { ...fact, reason: pod.status.reason };
}

/**
 * The KubeConfig cluster-healthy reads: one handed in as loaded, else the
 * provider's `kubernetes:kubeconfig` and `kubernetes:context` read as the
 * provider reads them (lib/kubeconfig.ts).
 */
export async function kubeConfigOf(kubeconfig: string | KubeConfig | undefined, context?: string): Promise<KubeConfig> {
  if (kubeconfig !== undefined && typeof kubeconfig !== "string") return kubeconfig;
  return loadKubeConfig(kubeconfig, context);
}

/** The API server's URL as the kubeconfig names it (no credentials in it). */
export function serverOf(kc: KubeConfig): string {
  return kc.getCurrentCluster()?.server ?? "(no current cluster)";
}

function apiFailure(error: unknown, server: string, what: string): Error {
  const status = typeof error === "object" && error !== null && "code" in error && typeof error.code === "number" ? error.code : undefined;
  if (status === 401) return new Error(`the Kubernetes API at ${server} answered 401 to ${what}: the kubeconfig's credentials were refused`);
  if (status === 403) return new Error(`the Kubernetes API at ${server} answered 403 to ${what}: the kubeconfig's user may not list them`);
  if (status !== undefined && status >= 100 && status <= 599) return new Error(`the Kubernetes API at ${server} answered ${status} to ${what}`);
  const cause = error instanceof Error ? error.message : String(error);
  return new Error(`the Kubernetes API at ${server} could not be reached: ${cause}`);
}

export async function readClusterFacts(kc: KubeConfig, namespace: string, signal: AbortSignal): Promise<ClusterFacts> {
  const k8s = await kubeClient();
  const bounded = boundedRequests(k8s, () => signal);
  const server = serverOf(kc);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const [nodes, pods] = await Promise.all([
    core.listNode({}, bounded).catch((error: unknown) => {
      throw apiFailure(error, server, "a list of nodes");
    }),
    core.listNamespacedPod({ namespace }, bounded).catch((error: unknown) => {
      throw apiFailure(error, server, `a list of pods in ${namespace}`);
    }),
  ]);
  return { server, namespace, nodes: nodes.items.map(nodeFact), pods: pods.items.map(podFact) };
}
