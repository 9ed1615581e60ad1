// What the rehearsal, the end-to-end tests and the benchmarks read back from
// the cluster through the Kubernetes API, to see what is really served.
import { kubeClient, type KubeConfig } from "../cluster/kube-client";

/** The pods behind a Service's EndpointSlices that are ready: what traffic actually reaches. */
export async function endpointPods(kc: KubeConfig, namespace: string, service: string): Promise<string[]> {
  const k8s = await kubeClient();
  const slices = await kc
    .makeApiClient(k8s.DiscoveryV1Api)
    .listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` });
  return slices.items
    .flatMap((slice) => slice.endpoints ?? [])
    .filter((endpoint) => endpoint.conditions?.ready !== false)
    .map((endpoint) => endpoint.targetRef?.name ?? "")
    .sort();
}

/** Whether every ready endpoint of `service` is a pod of `deployment` (and there is at least one). */
export async function servedBy(kc: KubeConfig, namespace: string, service: string, deployment: string): Promise<boolean> {
  const pods = await endpointPods(kc, namespace, service);
  return pods.length > 0 && pods.every((pod) => pod.startsWith(`${deployment}-`));
}
