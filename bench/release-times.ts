// Benchmark (not a test): a canary release judged by its analysis, safe-deploy
// against Argo Rollouts, on the local cluster, both reading one real
// Prometheus that scrapes a loopback server playing each side's stable and
// canary tracks (each side's canary share follows its own cluster objects:
// safe-deploy's HTTPRoute weights, Argo's ReplicaSets' ready pods).
//   - the runbook's bad canary (5.2% errors against 0.4%): the time from its
//     first share of traffic to traffic on the stable alone (median, p95);
//   - healthy canaries: how many were wrongly aborted.
// Both sides analyse every INTERVAL seconds. Argo runs the AnalysisTemplate its
// documentation recommends (success rate from Prometheus, `successCondition:
// result[0] >= 0.95`, `failureLimit: 3`) as background analysis over the
// runbook's steps, its 5-minute interval scaled to INTERVAL like ours.
//   tools/run npm run bench:release        (BENCH_RUNS=3 by default)
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startArgoRollouts } from "../tools/cluster/argo-rollouts";
import { kubeClient, loadKubeConfig, type KubeConfig } from "../tools/cluster/kube-client";
import { startLocalCluster } from "../tools/cluster/local-cluster";
import { waitUntil } from "../tools/cluster/wait";
import { openEngineStack, type EngineStack } from "../tools/rehearsal/engine";
import { localChecklistAlone } from "../tools/rehearsal/local-checklist";
import { runSafeDeploy } from "../tools/rehearsal/safe-deploy-command";
import { toolchainBin } from "../tools/toolchain/paths";
import { startPrometheus } from "../test/prometheus/local-prometheus";
import { startTrafficServer, type ServedService } from "../test/prometheus/traffic-server";
import { HEALTHY } from "../test/support/canary-traffic";

const RUNS = Number(process.env["BENCH_RUNS"] ?? 3);
/** Seconds between two looks, on both sides. */
const INTERVAL = Number(process.env["BENCH_INTERVAL"] ?? 10);
const SERVICE = "recommendation-engine";
const BAD = { ...HEALTHY, errorRate: 0.052 };
const IMAGE = "registry.example.com/shop/recommendation-engine";

type Player = { -readonly [K in keyof ServedService]: ServedService[K] };
const player = (namespace: string): Player => ({ namespace, app: SERVICE, requestsPerSecond: 400, canaryShare: 0, stable: HEALTHY, canary: HEALTHY });

/** Records when a side's canary share went above 0 and back to 0. */
class Exposure {
  private since: number | undefined;
  readonly spans: number[] = [];
  see(share: number): void {
    if (share > 0 && this.since === undefined) this.since = Date.now();
    if (share === 0 && this.since !== undefined) {
      this.spans.push(Date.now() - this.since);
      this.since = undefined;
    }
  }
}

function loop(look: () => Promise<void>): () => Promise<void> {
  let on = true;
  const running = (async () => {
    while (on) {
      await look().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return async () => {
    on = false;
    await running;
  };
}

async function kube(kc: KubeConfig) {
  const k8s = await kubeClient();
  return { apps: kc.makeApiClient(k8s.AppsV1Api), custom: kc.makeApiClient(k8s.CustomObjectsApi) };
}

// ---- safe-deploy ----

async function safeDeploySide(kubeconfigPath: string, dir: string, prometheusUrl: string, play: Player, kc: KubeConfig) {
  const namespace = play.namespace;
  const engine: EngineStack = await openEngineStack({
    stack: "production",
    kubeconfigPath,
    dir,
    editStackFile: (config) => {
      localChecklistAlone(new Date())(config);
      const services = config["safe-deploy:services"] as Record<string, Record<string, unknown>>;
      const { canaryVersion: _canary, ...shipped } = services[SERVICE]!;
      config["safe-deploy:services"] = {
        [SERVICE]: { ...shipped, canaryWeight: 0, httpRoute: { gatewayName: "public" }, analysis: { prometheusUrl, intervalSeconds: INTERVAL, timeoutSeconds: 5, maxDurationSeconds: 6 * INTERVAL } },
      };
    },
    config: { namespace },
  });
  const first = await runSafeDeploy(engine, ["up", "--stack", "production"]);
  if (first.code !== 0) throw new Error(`safe-deploy up: ${first.stdout}\n${first.stderr}`);
  const { custom } = await kube(kc);
  const exposure = new Exposure();
  const stop = loop(async () => {
    const route = (await custom.getNamespacedCustomObject({ group: "gateway.networking.k8s.io", version: "v1", namespace, plural: "httproutes", name: SERVICE })) as {
      spec: { rules: { backendRefs: { weight: number }[] }[] };
    };
    play.canaryShare = (route.spec.rules[0]?.backendRefs[1]?.weight ?? 0) / 100;
    exposure.see(play.canaryShare);
  });
  return {
    exposure,
    stop,
    /** One release; true when it ended aborted. */
    async release(version: string): Promise<boolean> {
      const ran = await runSafeDeploy(engine, ["release", SERVICE, version, "--stack", "production", "--json"]);
      const outcome = (JSON.parse(ran.stdout || "{}") as { outcome?: string }).outcome;
      if (outcome !== "aborted" && outcome !== "succeeded") throw new Error(`safe-deploy release ${version}: ${outcome ?? ran.code}\n${ran.stderr.slice(-2000)}`);
      return outcome === "aborted";
    },
  };
}

// ---- Argo Rollouts ----

function argoManifests(namespace: string, prometheusUrl: string, version: string): string {
  const pod = { metadata: { labels: { app: SERVICE } }, spec: { containers: [{ name: SERVICE, image: `${IMAGE}:${version}`, ports: [{ containerPort: 8080 }] }] } };
  const pause = { pause: { duration: `${6 * INTERVAL}s` } };
  const template = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name: "success-rate", namespace },
    spec: {
      metrics: [
        {
          name: "success-rate",
          interval: `${INTERVAL}s`,
          successCondition: "result[0] >= 0.95",
          failureLimit: 3,
          provider: {
            prometheus: {
              address: prometheusUrl,
              query:
                `sum(rate(http_requests_total{namespace="${namespace}",app="${SERVICE}",version="canary",code!~"5.."}[${INTERVAL}s])) / ` +
                `sum(rate(http_requests_total{namespace="${namespace}",app="${SERVICE}",version="canary"}[${INTERVAL}s]))`,
            },
          },
        },
      ],
    },
  };
  const rollout = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: { name: SERVICE, namespace },
    spec: {
      replicas: 10,
      selector: { matchLabels: { app: SERVICE } },
      template: pod,
      strategy: {
        canary: {
          analysis: { templates: [{ templateName: "success-rate" }], startingStep: 1 },
          steps: [{ setWeight: 10 }, pause, { setWeight: 30 }, pause, { setWeight: 50 }, pause],
        },
      },
    },
  };
  return [template, rollout].map((doc) => JSON.stringify(doc)).join("\n---\n");
}

async function argoSide(kubeconfigPath: string, dir: string, prometheusUrl: string, play: Player, kc: KubeConfig) {
  const namespace = play.namespace;
  const kubectl = (args: string[], input?: string) =>
    new Promise<void>((resolve, reject) => {
      const child = execFile(toolchainBin("kubectl"), [`--kubeconfig=${kubeconfigPath}`, ...args], (error) => (error === null ? resolve() : reject(error)));
      if (input !== undefined) child.stdin?.end(input);
    });
  await kubectl(["create", "namespace", namespace]);
  const controller = await startArgoRollouts(kubeconfigPath, namespace);
  fs.mkdirSync(dir, { recursive: true });
  const manifests = path.join(dir, "argo.yaml");
  const apply = async (version: string) => {
    fs.writeFileSync(manifests, argoManifests(namespace, prometheusUrl, version));
    await kubectl(["apply", "-f", manifests]);
  };
  const { apps, custom } = await kube(kc);
  const status = async () =>
    ((await custom.getNamespacedCustomObject({ group: "argoproj.io", version: "v1alpha1", namespace, plural: "rollouts", name: SERVICE })) as {
      status?: { phase?: string; stableRS?: string; currentPodHash?: string; abort?: boolean };
    }).status ?? {};
  await apply("v4.0.3");
  await waitUntil("Argo's first rollout healthy", async () => (await status()).phase === "Healthy", { timeoutMs: 120_000, intervalMs: 200 });
  const exposure = new Exposure();
  const stop = loop(async () => {
    const s = await status();
    const sets = (await apps.listNamespacedReplicaSet({ namespace, labelSelector: `app=${SERVICE}` })).items;
    const ready = (hash: string | undefined) => sets.filter((rs) => rs.metadata?.labels?.["rollouts-pod-template-hash"] === hash).reduce((n, rs) => n + (rs.status?.readyReplicas ?? 0), 0);
    const canary = s.currentPodHash !== undefined && s.currentPodHash !== s.stableRS ? ready(s.currentPodHash) : 0;
    const total = sets.reduce((n, rs) => n + (rs.status?.readyReplicas ?? 0), 0);
    play.canaryShare = total === 0 ? 0 : canary / total;
    exposure.see(play.canaryShare);
  });
  return {
    exposure,
    stop: async () => {
      await stop();
      await controller.stop();
    },
    /** One rollout to `version`; true when Argo aborted it. */
    async release(version: string): Promise<boolean> {
      // The status describes the rollout before until the controller takes the new template (a new pod hash).
      const before = (await status()).currentPodHash;
      await apply(version);
      await waitUntil(`Argo to take ${version}`, async () => (await status()).currentPodHash !== before, { timeoutMs: 60_000, intervalMs: 100 });
      let aborted = false;
      await waitUntil(
        `Argo's rollout of ${version} to end`,
        async () => {
          const s = await status();
          aborted = s.abort === true || s.phase === "Degraded";
          // Aborted: over once no canary pod takes traffic any more.
          return (aborted && play.canaryShare === 0) || (s.phase === "Healthy" && s.currentPodHash === s.stableRS);
        },
        { timeoutMs: 20 * 6 * INTERVAL * 1000, intervalMs: 200 },
      );
      process.stderr.write(`  Argo ${version}: ${aborted ? "aborted" : "promoted"}; ${await analysisRuns()}\n`);
      return aborted;
    },
  };

  /** What Argo's analysis measured, from its AnalysisRuns: the evidence behind its decision. */
  async function analysisRuns(): Promise<string> {
    const runs = (await custom.listNamespacedCustomObject({ group: "argoproj.io", version: "v1alpha1", namespace, plural: "analysisruns" })) as {
      items: { metadata: { name: string; creationTimestamp: string }; status?: { phase?: string; metricResults?: { count?: number; successful?: number; failed?: number; inconclusive?: number; error?: number; measurements?: { value?: string; phase?: string }[] }[] } }[];
    };
    const latest = runs.items.sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp)).at(-1);
    if (latest === undefined) return "no AnalysisRun";
    const m = latest.status?.metricResults?.[0];
    const values = (m?.measurements ?? []).map((x) => `${x.phase ?? "?"}:${x.value ?? "-"}`).join(" ");
    return `AnalysisRun ${latest.metadata.name} ${latest.status?.phase ?? "?"}: ${m?.count ?? 0} measurements, ${m?.successful ?? 0} successful, ${m?.failed ?? 0} failed, ${m?.inconclusive ?? 0} inconclusive, ${m?.error ?? 0} errors [${values}]`;
  }
}

// ---- the run ----

function stats(ms: readonly number[]): string {
  if (ms.length === 0) return "no runs";
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return `median ${(at(0.5) / 1000).toFixed(1)} s, p95 ${(at(0.95) / 1000).toFixed(1)} s (${sorted.map((m) => (m / 1000).toFixed(1)).join(", ")})`;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safe-deploy-bench-release-"));
  const cluster = await startLocalCluster();
  const players = { safeDeploy: player("bench-safe-deploy"), argo: player("bench-argo") };
  const traffic = await startTrafficServer([players.safeDeploy, players.argo], 7);
  const prometheus = await startPrometheus([traffic.target], 1000);
  const stops: (() => Promise<void>)[] = [];
  try {
    const kc = await loadKubeConfig(cluster.kubeconfigPath);
    const [sd, argo] = await Promise.all([
      safeDeploySide(cluster.kubeconfigPath, path.join(dir, "safe-deploy"), prometheus.url, players.safeDeploy, kc),
      argoSide(cluster.kubeconfigPath, path.join(dir, "argo"), prometheus.url, players.argo, kc),
    ]);
    stops.push(sd.stop, argo.stop);
    const sides = [
      { name: "safe-deploy", side: sd, play: players.safeDeploy },
      { name: "Argo Rollouts v1.10.2", side: argo, play: players.argo },
    ];
    const wronglyAborted = new Map<string, number>(sides.map((s) => [s.name, 0]));
    const badNotAborted = new Map<string, number>(sides.map((s) => [s.name, 0]));
    const badSpans = new Map<string, number[]>(sides.map((s) => [s.name, []]));
    for (let run = 0; run < RUNS; run++) {
      process.stderr.write(`run ${run + 1}/${RUNS}: the bad canary, then a healthy one, on both sides at once\n`);
      await Promise.all(
        sides.map(async ({ name, side, play }) => {
          play.canary = BAD;
          const before = side.exposure.spans.length;
          if (!(await side.release(`v5.${run}.0`))) badNotAborted.set(name, (badNotAborted.get(name) ?? 0) + 1);
          const span = side.exposure.spans[before];
          if (span !== undefined) badSpans.get(name)!.push(span);
          play.canary = HEALTHY;
          if (await side.release(`v6.${run}.0`)) wronglyAborted.set(name, (wronglyAborted.get(name) ?? 0) + 1);
        }),
      );
    }
    console.log(`\nbench:release, ${RUNS} runs, a look every ${INTERVAL} s on both sides, Prometheus scraping every 1 s`);
    for (const { name } of sides) {
      console.log(`  ${name.padEnd(22)} bad canary in traffic: ${stats(badSpans.get(name) ?? [])}; bad not aborted ${badNotAborted.get(name)}/${RUNS}; healthy wrongly aborted ${wronglyAborted.get(name)}/${RUNS}`);
    }
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    await prometheus.stop();
    await traffic.stop();
    await cluster.stop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
