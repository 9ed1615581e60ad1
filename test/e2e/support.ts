// What the end-to-end tests share: the toolchain gate, one local cluster per
// file, engines for the shipped stacks, and reads of the cluster through the
// Kubernetes API (never through the program's own view of things).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { waitUntil } from "../../tools/cluster/wait";
import { kubeClient, loadKubeConfig, type KubeConfig } from "../../tools/cluster/kube-client";
import { startLocalCluster, type LocalCluster } from "../../tools/cluster/local-cluster";
import { engineReady } from "../../tools/toolchain/gate";
import { openEngineStack, type EngineStack, type EngineStackOptions } from "../../tools/rehearsal/engine";
import { localChecklistAlone } from "../../tools/rehearsal/local-checklist";

export { endpointPods } from "../../tools/rehearsal/cluster-reads";
export { stackOutputs } from "../../tools/rehearsal/engine";

/** Whether the end-to-end toolchain is installed (else the tests skip, loudly). */
export const toolchain = { ok: engineReady("the end-to-end tests") };

/** Generous: a cold engine start plus stand-in plugins plus rollouts on two cores. */
export const UP_TIMEOUT_MS = 240_000;

export interface E2eContext {
  readonly cluster: LocalCluster;
  readonly kc: KubeConfig;
  readonly dir: string;
}

export async function startE2e(name: string): Promise<E2eContext> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `safe-deploy-e2e-${name}-`));
  const cluster = await startLocalCluster();
  return { cluster, kc: await loadKubeConfig(cluster.kubeconfigPath), dir };
}

export async function stopE2e(context: E2eContext | undefined): Promise<void> {
  if (context === undefined) return;
  await context.cluster.stop();
  fs.rmSync(context.dir, { recursive: true, force: true });
}

/**
 * Production's checklist in these files: the rehearsal's (what the local cluster can check,
 * the rest waived with why), and staging-first waived too, since most files deploy production
 * alone. The program refuses a production update whose checklist fails, pack or no pack; a test
 * of the checklist sets its own (localChecklist replaces both keys).
 */
const PRODUCTION_ALONE = localChecklistAlone(new Date());

/** An engine for `stack` on the test's cluster, in a directory of its own. */
export function engineFor(context: E2eContext, stack: string, options: Partial<EngineStackOptions> = {}): Promise<EngineStack> {
  const { editStackFile, ...rest } = options;
  return openEngineStack({
    stack,
    kubeconfigPath: context.cluster.kubeconfigPath,
    dir: fs.mkdtempSync(path.join(context.dir, `${stack}-`)),
    editStackFile: (config) => {
      if (stack === "production") PRODUCTION_ALONE(config);
      editStackFile?.(config);
    },
    ...rest,
  });
}

/** Keeps only the named services in the stack file. */
export function onlyServices(...names: string[]): (config: Record<string, unknown>) => void {
  return (config) => {
    const services = config["safe-deploy:services"] as Record<string, unknown>;
    config["safe-deploy:services"] = Object.fromEntries(Object.entries(services).filter(([name]) => names.includes(name)));
  };
}

/**
 * A production stack of one service, deployed as shipped into a namespace of
 * its own: a freshly deployed stack, whatever other tests did before.
 */
export async function freshProduction(context: E2eContext, service: string, namespace: string, config: EngineStackOptions["config"] = {}): Promise<EngineStack> {
  const engine = await engineFor(context, "production", { editStackFile: onlyServices(service), config: { namespace, ...config } });
  const result = await engine.stack.up({ color: "never" });
  if (result.summary.result !== "succeeded") throw new Error(`up of a fresh ${service} stack: ${result.summary.result}`);
  return engine;
}

/** Sets config values (as `pulumi config set --path` would) and runs an update that also refreshes, so earlier quick rollbacks are seen. */
export async function upWith(engine: EngineStack, config: Readonly<Record<string, string | number | boolean>>, remove: readonly string[] = []): Promise<void> {
  for (const [key, value] of Object.entries(config)) await engine.stack.setConfig(key, { value: String(value) }, true);
  for (const key of remove) await engine.stack.removeConfig(key, true);
  const result = await engine.stack.up({ color: "never", refresh: true });
  if (result.summary.result !== "succeeded") throw new Error(`up with ${JSON.stringify(config)}: ${result.summary.result}`);
}

export async function apis(kc: KubeConfig) {
  const k8s = await kubeClient();
  return {
    apps: kc.makeApiClient(k8s.AppsV1Api),
    core: kc.makeApiClient(k8s.CoreV1Api),
    batch: kc.makeApiClient(k8s.BatchV1Api),
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
  };
}

export async function deploymentImage(kc: KubeConfig, namespace: string, name: string): Promise<string | undefined> {
  const deployment = await (await apis(kc)).apps.readNamespacedDeployment({ name, namespace });
  return deployment.spec?.template.spec?.containers[0]?.image;
}

/** The backend weights of the service's HTTPRoute, stable first: where exact canary weights send the traffic. */
export async function routeWeights(kc: KubeConfig, namespace: string, name: string): Promise<number[]> {
  const route = (await (await apis(kc)).custom.getNamespacedCustomObject({ group: "gateway.networking.k8s.io", version: "v1", namespace, plural: "httproutes", name })) as {
    spec: { rules: { backendRefs: { weight: number }[] }[] };
  };
  return route.spec.rules[0]?.backendRefs.map((ref) => ref.weight) ?? [];
}

/** Pods of `labelSelector` that are Running and not being deleted, by name. */
export async function runningPods(kc: KubeConfig, namespace: string, labelSelector: string): Promise<string[]> {
  const pods = await (await apis(kc)).core.listNamespacedPod({ namespace, labelSelector });
  return pods.items
    .filter((pod) => pod.metadata?.deletionTimestamp === undefined && pod.status?.phase === "Running")
    .map((pod) => pod.metadata?.name ?? "")
    .sort();
}

/** Waits until `check` holds (returns true), up to `timeoutMs`. */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  await waitUntil(what, check, { timeoutMs, intervalMs: 100 });
}

/** Is every Deployment in the namespace at its desired replicas, updated and available? */
export async function deploymentsSettled(kc: KubeConfig, namespace: string): Promise<Record<string, string>> {
  const list = await (await apis(kc)).apps.listNamespacedDeployment({ namespace });
  return Object.fromEntries(
    list.items.map((d) => [
      d.metadata?.name ?? "",
      `${d.status?.availableReplicas ?? 0}/${d.spec?.replicas ?? 0} available, ${d.status?.updatedReplicas ?? 0} updated`,
    ]),
  );
}

/**
 * The changes in an update or preview summary, as the engine counts them
 * (engine.HasChanges, and what `--expect-no-changes` checks): reads, such as
 * the program's StackReference to its own last outputs, change nothing and
 * the CLI's summary does not list them.
 */
export function changes(summary: Record<string, number> | undefined): Record<string, number> {
  const notChanges = new Set(["same", "read", "discard", "read-replacement"]);
  return Object.fromEntries(Object.entries(summary ?? {}).filter(([op, count]) => !notChanges.has(op) && count > 0));
}

/** The local policy pack under production's config, as `--policy-pack policy --policy-pack-config policy/config/production.json`. */
export const PRODUCTION_PACK = {
  policyPacks: [path.join(__dirname, "..", "..", "policy")],
  policyPackConfigs: [path.join(__dirname, "..", "..", "policy", "config", "production.json")],
};

/** What the engine printed for an operation that must be refused (the Automation API's CommandError carries stdout and stderr). */
export async function refusal(operation: Promise<unknown>): Promise<string> {
  try {
    await operation;
  } catch (error) {
    return String(error);
  }
  throw new Error("the operation succeeded; it should have been refused");
}
