// What the end-to-end tier relies on the local cluster for, each as one
// timed check: a Deployment becomes available, a Job completes, a Job
// labelled to fail is marked Failed, a weighted HTTPRoute is accepted.
// Used by local-cluster.test.ts and by `cli.ts check`.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { KubeConfig, KubernetesObject, V1Deployment, V1Job } from "./kube-client";
import { httpStatus, kubeClient } from "./kube-client";
import { FAIL_POD_LABEL } from "./stages";
import { waitFor } from "./wait";

export interface CheckResult {
  readonly name: string;
  /** From the first create to the expected state. */
  readonly ms: number;
}

const IMAGE = "registry.invalid/safe-deploy-check:1"; // never pulled: kwok runs no containers

/** Creates a namespace with a random suffix and waits for its default ServiceAccount. */
export async function createCheckNamespace(kc: KubeConfig, prefix = "check"): Promise<string> {
  const k8s = await kubeClient();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const name = `${prefix}-${randomBytes(3).toString("hex")}`;
  await core.createNamespace({ body: { metadata: { name } } });
  // Pods are refused until the namespace's default ServiceAccount exists.
  await waitFor(`ServiceAccount ${name}/default`, async () => {
    try {
      await core.readNamespacedServiceAccount({ name: "default", namespace: name });
      return true;
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw error;
    }
  }, { timeoutMs: 10_000, intervalMs: 50 });
  return name;
}

/** Starts deleting the namespace (does not wait: kwok deletes its pods on its own). */
export async function deleteCheckNamespace(kc: KubeConfig, name: string): Promise<void> {
  const k8s = await kubeClient();
  await kc.makeApiClient(k8s.CoreV1Api).deleteNamespace({ name });
}

/** A `replicas`-replica Deployment reaches that many available replicas. */
export async function checkDeploymentAvailable(kc: KubeConfig, namespace: string, replicas = 3): Promise<CheckResult> {
  const k8s = await kubeClient();
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const labels = { app: "web" };
  const body: V1Deployment = {
    metadata: { name: "web", labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: "web", image: IMAGE, ports: [{ containerPort: 8080 }] }] },
      },
    },
  };
  const t0 = performance.now();
  await apps.createNamespacedDeployment({ namespace, body });
  await waitFor(`Deployment ${namespace}/web to have ${String(replicas)} available replicas`, async () => {
    const d = await apps.readNamespacedDeploymentStatus({ name: "web", namespace });
    const s = d.status;
    const done =
      (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
      s?.updatedReplicas === replicas &&
      s.availableReplicas === replicas;
    return done ? true : undefined;
  }, { timeoutMs: 30_000 });
  return { name: `Deployment with ${String(replicas)} replicas available`, ms: performance.now() - t0 };
}

function job(name: string, podLabels: Record<string, string>): V1Job {
  return {
    metadata: { name },
    spec: {
      // No retries: a failed pod fails the Job at once (a retry waits ~10 s).
      backoffLimit: 0,
      template: {
        metadata: { labels: podLabels },
        spec: { restartPolicy: "Never", containers: [{ name: "migrate", image: IMAGE }] },
      },
    },
  };
}

/** Resolves with the Job's final condition type (Complete or Failed). */
async function jobOutcome(kc: KubeConfig, namespace: string, name: string): Promise<string> {
  const k8s = await kubeClient();
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  return waitFor(`Job ${namespace}/${name} to finish`, async () => {
    const j = await batch.readNamespacedJobStatus({ name, namespace });
    return j.status?.conditions?.find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True")?.type;
  }, { timeoutMs: 30_000 });
}

/** A Job's pod completes (kwok's pod-complete stage) and the Job is Complete. */
export async function checkJobCompletes(kc: KubeConfig, namespace: string): Promise<CheckResult> {
  const k8s = await kubeClient();
  const t0 = performance.now();
  await kc.makeApiClient(k8s.BatchV1Api).createNamespacedJob({ namespace, body: job("migrate-ok", { app: "migrate" }) });
  const outcome = await jobOutcome(kc, namespace, "migrate-ok");
  if (outcome !== "Complete") throw new Error(`Job ${namespace}/migrate-ok ended ${outcome}, expected Complete`);
  return { name: "Job completes", ms: performance.now() - t0 };
}

/** A Job whose pod carries the fail label ends Failed, its container exited 1. */
export async function checkLabelledJobFails(kc: KubeConfig, namespace: string): Promise<CheckResult> {
  const k8s = await kubeClient();
  const t0 = performance.now();
  await kc
    .makeApiClient(k8s.BatchV1Api)
    .createNamespacedJob({ namespace, body: job("migrate-bad", { app: "migrate", [FAIL_POD_LABEL]: "true" }) });
  const outcome = await jobOutcome(kc, namespace, "migrate-bad");
  if (outcome !== "Failed") throw new Error(`Job ${namespace}/migrate-bad ended ${outcome}, expected Failed`);
  const ms = performance.now() - t0;
  const pods = await kc
    .makeApiClient(k8s.CoreV1Api)
    .listNamespacedPod({ namespace, labelSelector: "job-name=migrate-bad" });
  const exitCodes = pods.items.flatMap((p) => (p.status?.containerStatuses ?? []).map((c) => c.state?.terminated?.exitCode));
  if (exitCodes.length === 0 || exitCodes.some((code) => code !== 1)) {
    throw new Error(`Job ${namespace}/migrate-bad failed, but its containers' exit codes are [${exitCodes.join(", ")}], expected 1`);
  }
  return { name: "Job with the fail label Failed", ms };
}

/** An HTTPRoute splitting 80/20 over two Services is accepted and reads back with those weights. */
export async function checkWeightedHttpRoute(kc: KubeConfig, namespace: string): Promise<CheckResult> {
  const k8s = await kubeClient();
  const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  const service = (name: string, slot: string): KubernetesObject & { spec: object } => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace },
    spec: { selector: { app: "web", slot }, ports: [{ port: 80, targetPort: 8080 }] },
  });
  const route = {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "web", namespace },
    spec: {
      parentRefs: [{ name: "public", namespace }],
      rules: [
        {
          backendRefs: [
            { name: "web-stable", port: 80, weight: 80 },
            { name: "web-canary", port: 80, weight: 20 },
          ],
        },
      ],
    },
  };
  const t0 = performance.now();
  await objects.create(service("web-stable", "blue"));
  await objects.create(service("web-canary", "green"));
  await objects.create(route);
  const read = await objects.read({ apiVersion: route.apiVersion, kind: route.kind, metadata: { name: "web", namespace } });
  const refs = (read as unknown as typeof route).spec.rules[0]?.backendRefs ?? [];
  const weights = refs.map((ref) => `${ref.name}=${String(ref.weight)}`).join(" ");
  if (weights !== "web-stable=80 web-canary=20") throw new Error(`HTTPRoute read back with weights '${weights}'`);
  return { name: "HTTPRoute 80/20 accepted", ms: performance.now() - t0 };
}

/** Runs every check in a fresh namespace, deleted afterwards. */
export async function runClusterChecks(kc: KubeConfig): Promise<CheckResult[]> {
  const namespace = await createCheckNamespace(kc);
  try {
    // Independent of each other: run them side by side.
    return await Promise.all([
      checkDeploymentAvailable(kc, namespace),
      checkJobCompletes(kc, namespace),
      checkLabelledJobFails(kc, namespace),
      checkWeightedHttpRoute(kc, namespace),
    ]);
  } finally {
    await deleteCheckNamespace(kc, namespace);
  }
}
