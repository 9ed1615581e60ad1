// The EndpointSlice check of `verify`: reads the live Service's EndpointSlices and the pods
// behind them from the Kubernetes API, every call bound in time, and judges them.
import type { KubeConfig } from "@kubernetes/client-node" with { "resolution-mode": "import" };
import type { CheckResult } from "./check-round";
import { formatLabels, judgeEndpoints, type ServedEndpoint } from "./judge-endpoints";
import { boundedRequests, kubeClient } from "../lib/kube-api";

export interface EndpointsExpectation {
  readonly namespace: string;
  readonly service: string;
  /** The labels every ready endpoint's pod carries, e.g. `{ version: "green" }`. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** The bound on each API call. */
  readonly timeoutMs: number;
}

function apiFailure(error: unknown, timeoutMs: number): { why: string; status: number | undefined } {
  // An abort is a DOMException, whose numeric `code` (23) is no HTTP status: its name goes first.
  const name = error instanceof Error ? error.name : "";
  if (name === "AbortError" || name === "TimeoutError") return { why: `no answer from the Kubernetes API within ${timeoutMs} ms`, status: undefined };
  const status = typeof error === "object" && error !== null && "code" in error && typeof error.code === "number" ? error.code : undefined;
  if (status !== undefined && status >= 100 && status <= 599) return { why: `the Kubernetes API answered ${status}`, status };
  return { why: `the Kubernetes API could not be reached: ${error instanceof Error ? error.message : String(error)}`, status: undefined };
}

export async function checkEndpoints(kc: KubeConfig, expectation: EndpointsExpectation): Promise<CheckResult> {
  const k8s = await kubeClient();
  const { namespace, service, timeoutMs } = expectation;
  const bounded = boundedRequests(k8s, () => AbortSignal.timeout(timeoutMs));
  const base = {
    check: "endpoints",
    method: "LIST",
    url: `EndpointSlices of Service ${namespace}/${service}`,
  };
  const started = performance.now();
  const elapsedMs = () => Math.round(performance.now() - started);
  try {
    const slices = await kc
      .makeApiClient(k8s.DiscoveryV1Api)
      .listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` }, bounded);
    const pods = await kc.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace }, bounded);
    const endpoints: ServedEndpoint[] = slices.items.flatMap((slice) =>
      (slice.endpoints ?? []).map((endpoint) => ({
        address: endpoint.addresses[0] ?? "(no address)",
        ready: endpoint.conditions?.ready !== false,
        pod: endpoint.targetRef?.kind === "Pod" ? endpoint.targetRef.name : undefined,
      })),
    );
    const labels = new Map(pods.items.map((pod) => [pod.metadata?.name ?? "", pod.metadata?.labels ?? {}] as const));
    const verdict = judgeEndpoints(service, endpoints, labels, expectation.podLabels);
    // What came back, in the place a body goes: each endpoint, its pod and that pod's value of each expected label.
    const shown = (pod: string | undefined) => {
      const has = labels.get(pod ?? "") ?? {};
      return formatLabels(Object.fromEntries(Object.keys(expectation.podLabels).map((key) => [key, has[key] ?? "(unset)"])));
    };
    const seen = endpoints.map((endpoint) => `${endpoint.address}${endpoint.ready ? "" : " (not ready)"} ${endpoint.pod ?? "?"} ${shown(endpoint.pod)}`).join("; ");
    return { ...base, ok: verdict.ok, why: verdict.ok ? "" : verdict.why, status: 200, bodyStart: seen.slice(0, 200), elapsedMs: elapsedMs(), cutByDeadline: false };
  } catch (error) {
    const failure = apiFailure(error, timeoutMs);
    return { ...base, ok: false, why: failure.why, status: failure.status, bodyStart: "", elapsedMs: elapsedMs(), cutByDeadline: false };
  }
}
