// cluster-healthy against the local cluster (kwok nodes and pods): a healthy
// namespace, a pod failed by the kwok stage, a pod Pending beyond the bound,
// an API server that does not answer. Then the whole checklist with every
// source configured against the real things: under 2 s when all answer, and
// within the bound (and `unknown`) when one hangs.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checklistSchema, type ChecklistConfig } from "../../config/checklist";
import { gatherChecklist, type ChecklistRequest, type GatherOptions, type StagingState } from "../../checklist/gather";
import type { GatheredChecklist, ItemResult } from "../../checklist/item";
import { createCheckNamespace } from "../../tools/cluster/checks";
import { kubeClient, loadKubeConfig, type KubeConfig } from "../../tools/cluster/kube-client";
import { startLocalCluster, type LocalCluster } from "../../tools/cluster/local-cluster";
import { FAIL_POD_LABEL } from "../../tools/cluster/stages";
import { waitFor } from "../../tools/cluster/wait";
import { clusterReady } from "../../tools/toolchain/gate";
import { startServer, type LoopbackServer } from "../checks/loopback-server";
import { debianServersReady, pushImage, stopProcess, REGISTRY_USER, startAlertmanager, startPrometheusWithRules, startRegistry, type DebianServer } from "./support/debian-servers";
import { useTempRepos } from "./support/git-repos";
import { expectWithinBound } from "../support/time-bound";

const IMAGE = "registry.invalid/checklist:never-pulled"; // kwok runs no containers
const newRepo = useTempRepos();

function itemOf(checklist: GatheredChecklist, item: string, service?: string): ItemResult {
  const results = service === undefined ? checklist.release : (checklist.services[service] ?? []);
  const found = results.find((r) => r.item === item);
  if (found === undefined) throw new Error(`no ${item}`);
  return found;
}

describe.skipIf(!clusterReady("the checklist's cluster tests"))("cluster source and the whole checklist", () => {
  let cluster: LocalCluster;
  let kc: KubeConfig;
  const apiServerPid = () => {
    const pid = cluster.components.find((c) => c.name === "kube-apiserver")?.pid;
    if (pid === undefined) throw new Error("no kube-apiserver");
    return pid;
  };

  beforeAll(async () => {
    cluster = await startLocalCluster({ gatewayApi: false });
    kc = await loadKubeConfig(cluster.kubeconfigPath);
  }, 120_000);
  afterAll(async () => cluster?.stop(), 30_000);

  async function createPod(namespace: string, name: string, extra: { labels?: Record<string, string>; nodeSelector?: Record<string, string> } = {}): Promise<void> {
    const k8s = await kubeClient();
    await kc.makeApiClient(k8s.CoreV1Api).createNamespacedPod({
      namespace,
      body: {
        metadata: { name, labels: { app: "user-api", ...extra.labels } },
        spec: { containers: [{ name: "user-api", image: IMAGE }], ...(extra.nodeSelector === undefined ? {} : { nodeSelector: extra.nodeSelector }) },
      },
    });
  }

  async function podPhase(namespace: string, name: string, phase: string): Promise<void> {
    const k8s = await kubeClient();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await waitFor(`pod ${namespace}/${name} ${phase}`, async () => ((await core.readNamespacedPod({ namespace, name })).status?.phase === phase ? true : undefined), { timeoutMs: 30_000 });
  }

  async function clusterItem(namespace: string, options: GatherOptions = {}): Promise<{ item: ItemResult; elapsedMs: number }> {
    const config = checklistSchema.parse({ cluster: { pendingBoundSeconds: 300 } });
    const started = performance.now();
    const checklist = await gatherChecklist(config, { namespace, services: [] }, { kubeconfig: kc, deployedBy: "test", ...options });
    return { item: itemOf(checklist, "cluster-healthy"), elapsedMs: performance.now() - started };
  }

  it("passes on a namespace whose pods run, with every node Ready", async () => {
    const namespace = await createCheckNamespace(kc, "checklist-healthy");
    await createPod(namespace, "user-api-a");
    await podPhase(namespace, "user-api-a", "Running");
    const { item } = await clusterItem(namespace);
    expect(item).toMatchObject({ status: "pass", reason: `3 node(s) Ready, 1 pod(s) in namespace ${namespace}, none failing`, source: `Kubernetes API ${cluster.server}` });
  });

  it("fails on a pod the kwok stage failed, naming it", async () => {
    const namespace = await createCheckNamespace(kc, "checklist-failing");
    await createPod(namespace, "user-api-a");
    await createPod(namespace, "user-api-b", { labels: { [FAIL_POD_LABEL]: "true" } });
    await podPhase(namespace, "user-api-b", "Failed");
    const { item } = await clusterItem(namespace);
    expect(item.status).toBe("fail");
    expect(item.reason).toBe(`1 pod(s) failing in namespace ${namespace}: user-api-b Failed (Error)`);
  });

  it("fails on a pod Pending beyond the bound, and not before", async () => {
    const namespace = await createCheckNamespace(kc, "checklist-pending");
    await createPod(namespace, "user-api-a", { nodeSelector: { "safe-deploy.dev/no-such-node": "true" } });
    expect((await clusterItem(namespace)).item.status).toBe("pass");
    const later = new Date(Date.now() + 600_000);
    const { item } = await clusterItem(namespace, { now: later });
    expect(item.status).toBe("fail");
    expect(item.reason).toMatch(new RegExp(`^1 pod\\(s\\) failing in namespace ${namespace}: user-api-a Pending for 6\\d\\d s \\(bound 300 s\\)$`));
  });

  it("is unknown, naming the server, when the kubeconfig points nowhere", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safe-deploy-checklist-kubeconfig-"));
    try {
      const file = path.join(dir, "kubeconfig");
      fs.writeFileSync(file, fs.readFileSync(cluster.kubeconfigPath, "utf8").replace(cluster.server, "https://127.0.0.1:1"));
      const { item } = await clusterItem("default", { kubeconfig: file });
      expect(item.status).toBe("unknown");
      expect(item.reason).toMatch(/^the Kubernetes API at https:\/\/127\.0\.0\.1:1 could not be reached/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is unknown within its bound when the API server does not answer", async () => {
    stopProcess(apiServerPid());
    try {
      const { item, elapsedMs } = await clusterItem("default", { boundMs: 800 });
      expect(item).toMatchObject({ status: "unknown", reason: "timed out after 0.8 s" });
      expectWithinBound(elapsedMs, 800, { waitedForIt: true });
    } finally {
      process.kill(apiServerPid(), "SIGCONT");
    }
  });

  describe.runIf(debianServersReady("the whole-checklist test", ["docker-registry", "prometheus-alertmanager", "prometheus"]))("every source at once", () => {
    let registry: DebianServer;
    let alertmanager: DebianServer;
    let prometheus: DebianServer;
    let github: LoopbackServer;
    let config: ChecklistConfig;
    let request: ChecklistRequest;
    let options: GatherOptions;

    beforeAll(async () => {
      [registry, alertmanager, prometheus] = await Promise.all([
        startRegistry(),
        startAlertmanager(),
        startPrometheusWithRules(
          ["groups:", "  - name: shop", "    rules:", "      - alert: UserApiDown", '        expr: up{app="user-api"} == 0', "      - alert: PaymentsDown", '        expr: up{app="payment-service"} == 0', ""].join("\n"),
        ),
      ]);
      const host = new URL(registry.url).host;
      for (const [repository, tag] of [["shop/user-api", "v2.4.0"], ["shop/user-api", "v2.3.1"], ["shop/payment-service", "v3.2.0"], ["shop/payment-service", "v3.1.0"]] as const) {
        await pushImage(registry.url, repository, tag);
      }
      const repo = newRepo();
      repo.git("tag", "-a", "v2.4.0", "-m", "Release v2.4.0");
      const commit = repo.git("rev-parse", "HEAD");
      github = await startServer((r) => {
        const route = r.path.split("?")[0];
        if (route === `/repos/shop/app/commits/${commit}/check-runs`) return { status: 200, body: { total_count: 1, check_runs: [{ id: 1, name: "build", status: "completed", conclusion: "success" }] } };
        if (route === `/repos/shop/app/commits/${commit}/status`) return { status: 200, body: { state: "success", total_count: 1, statuses: [{ context: "ci/e2e", state: "success" }] } };
        return { status: 404, body: { message: "Not Found" } };
      });
      const namespace = await createCheckNamespace(kc, "checklist-all");
      await createPod(namespace, "user-api-a");
      const now = new Date();
      config = checklistSchema.parse({
        git: {},
        github: { owner: "shop", repo: "app", baseUrl: github.url, token: "ghp_allSourcesToken000" },
        staging: { stack: "acme/safe-deploy/staging" },
        registry: { url: registry.url, ...REGISTRY_USER },
        cluster: {},
        alertmanager: { url: alertmanager.url },
        prometheus: { url: prometheus.url },
        // Open all week, whatever hour the test runs.
        window: { timeZone: "UTC", open: [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "00:00", to: "24:00" }] },
        attestations: Object.fromEntries(["onCall", "changeCommunicated", "featureFlagsReviewed"].map((key) => [key, { by: "ana", at: now.toISOString() }])),
      });
      request = {
        namespace,
        services: [
          { name: "user-api", image: `${host}/shop/user-api`, version: "v2.4.0", rollbackVersion: "v2.3.1" },
          { name: "payment-service", image: `${host}/shop/payment-service`, version: "v3.2.0", rollbackVersion: "v3.1.0", migrationVersion: "v3.2.0" },
        ],
      };
      const staging: StagingState = {
        stack: "acme/safe-deploy/staging",
        services: {
          "user-api": { live: { strategy: "rolling", version: "v2.4.0", replicas: 2 }, migration: null },
          "payment-service": {
            live: { strategy: "blue-green", slot: "green", version: "v3.2.0", replicas: 2, standby: { slot: "blue", version: "v3.1.0", replicas: 2 } },
            migration: { job: "payment-service-migration-v3.2.0", version: "v3.2.0", kind: "expand" },
          },
        },
        lastUpdate: { result: "succeeded" },
      };
      options = { projectDir: repo.dir, kubeconfig: kc, env: {}, deployedBy: "ana", now, readStaging: async () => staging };
    }, 120_000);
    afterAll(async () => {
      await Promise.all([registry?.stop(), alertmanager?.stop(), prometheus?.stop(), github?.close()]);
    });

    it("passes every item when every source answers", async () => {
      const checklist = await gatherChecklist(config, request, options);
      const notPassed = [...checklist.release, ...Object.values(checklist.services).flat()].filter((r) => r.status !== "pass");
      expect(notPassed).toEqual([]);
      expect(checklist.facts).toMatchObject({ tag: "v2.4.0", deployedBy: "ana" });
    });

    it("finishes within the bound when one source hangs, that item unknown with the reason, the others answered", async () => {
      alertmanager.pause();
      try {
        const started = performance.now();
        // Every other source must answer inside the same bound: long enough for a loaded machine.
        const checklist = await gatherChecklist(config, request, { ...options, boundMs: 5000 });
        const elapsedMs = performance.now() - started;
        expect(itemOf(checklist, "no-active-incident")).toMatchObject({ status: "unknown", reason: "timed out after 5 s", source: `Alertmanager ${alertmanager.url}` });
        const others = [...checklist.release, ...Object.values(checklist.services).flat()].filter((r) => r.item !== "no-active-incident");
        expect(others.filter((r) => r.status !== "pass")).toEqual([]);
        expectWithinBound(elapsedMs, 5000, { waitedForIt: true });
      } finally {
        alertmanager.resume();
      }
    });

    it("never carries the GitHub token or the registry password in any result", async () => {
      const checklist = await gatherChecklist(config, request, options);
      const text = JSON.stringify(checklist);
      expect(text).not.toContain("ghp_allSourcesToken000");
      expect(text).not.toContain(REGISTRY_USER.password);
    });
  });
});
