// Benchmark (not a test): on the local cluster, how long each rollback takes
// until the cluster serves the previous version, over several runs (min /
// median / max):
//   - the quick command from the stack outputs, per strategy (rolling: the
//     previous ReplicaSet available; blue-green: EndpointSlices on the old
//     slot; canary: canary pods gone);
//   - the Pulumi-native rollback (config set + up through the engine);
//   - `npx safe-deploy rollback`: until the cluster serves the previous version
//     (its quick command), and until the command is done (the stack agreed);
//   - side by side, the bare kubectl equivalent on a Deployment kubectl made
//     itself (the floor) and `helm rollback --wait` of the same Deployment in
//     a Helm release (the peer a user would otherwise pick);
// plus `up` and `preview` times of the shipped stacks.
//   tools/run npm run bench:rollback        (needs: bash tools/toolchain/ensure.sh --with-helm)
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { kubeClient, loadKubeConfig, type KubeConfig } from "../tools/cluster/kube-client";
import { startLocalCluster, type LocalCluster } from "../tools/cluster/local-cluster";
import { waitUntil } from "../tools/cluster/wait";
import { runCommandLine } from "../tools/rehearsal/command-line";
import { servedBy } from "../tools/rehearsal/cluster-reads";
import { openEngineStack, PROJECT_ROOT, stackOutputs, type EngineStack } from "../tools/rehearsal/engine";
import { localChecklistAlone } from "../tools/rehearsal/local-checklist";
import { runSafeDeploy } from "../tools/rehearsal/safe-deploy-command";
import { toolchainBin, toolchainPresent } from "../tools/toolchain/paths";
import { printProgramStart } from "./program-start";
import { BREAKDOWN_PARTS, breakdown, EventClock, type Breakdown } from "./rollback-breakdown";

const execFileAsync = promisify(execFile);
const RUNS = Number(process.env["BENCH_RUNS"] ?? 5);
const NS = "production";
/** Poll fast: the figures are the time until the cluster serves the previous version. */
const POLL = { timeoutMs: 120_000, intervalMs: 20 };

type Row = { readonly what: string; readonly ms: number[] };

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function clients(kc: KubeConfig) {
  const k8s = await kubeClient();
  return { apps: kc.makeApiClient(k8s.AppsV1Api), core: kc.makeApiClient(k8s.CoreV1Api) };
}

/** Rolled out: the template's image is `image` and every replica is updated and available. */
async function rolledOutTo(kc: KubeConfig, namespace: string, name: string, image: string): Promise<void> {
  const { apps } = await clients(kc);
  await waitUntil(`${name} on ${image}`, async () => {
    const d = await apps.readNamespacedDeployment({ name, namespace });
    const want = d.spec?.replicas ?? 0;
    const s = d.status;
    return (
      d.spec?.template.spec?.containers[0]?.image === image &&
      (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
      s?.updatedReplicas === want && s?.availableReplicas === want && (s?.replicas ?? 0) === want
    );
  }, POLL);
}

async function endpointsOnSlot(kc: KubeConfig, slot: string): Promise<void> {
  await waitUntil(`payment-service on ${slot}`, () => servedBy(kc, NS, "payment-service", `payment-service-${slot}`), POLL);
}

async function noCanaryPods(kc: KubeConfig): Promise<void> {
  const { core } = await clients(kc);
  await waitUntil("no canary pods", async () => {
    const pods = await core.listNamespacedPod({ namespace: NS, labelSelector: "app=recommendation-engine,version=canary" });
    return pods.items.length === 0;
  }, POLL);
}

/** Loopback HTTP servers playing each blue-green slot's version, as the checker's smoke and verify steps reach them. */
async function slotServers(): Promise<{ readonly urls: Record<"blue" | "green", string>; close(): void }> {
  const versions = { blue: "v3.1.0", green: "v3.2.0" } as const;
  const servers = await Promise.all(
    (["blue", "green"] as const).map(async (slot) => {
      const server = http.createServer((request, response) => {
        const body = request.url === "/health" ? { status: "ok" } : request.url === "/version" ? { version: versions[slot] } : undefined;
        response.writeHead(body === undefined ? 404 : 200, { "content-type": "application/json" }).end(JSON.stringify(body ?? {}));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return { slot, server, url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}` };
    }),
  );
  return {
    urls: Object.fromEntries(servers.map((s) => [s.slot, s.url])) as Record<"blue" | "green", string>,
    close: () => servers.forEach((s) => s.server.close()),
  };
}

/**
 * Runs `measure` with checks configured on payment-service, then takes them off again. The steps run
 * `npx --no-install safe-deploy-check` where the program runs, as on a user's machine, so the
 * workspace gets the project's package.json (whose `bin` npx runs) and checks/, as in the smoke e2e test.
 */
async function withChecks(engine: EngineStack, slots: Awaited<ReturnType<typeof slotServers>>, measure: () => Promise<void>): Promise<void> {
  for (const entry of ["package.json", "checks"]) {
    const link = path.join(engine.workDir, entry);
    if (!fs.existsSync(link)) fs.symlinkSync(path.join(PROJECT_ROOT, entry), link);
  }
  const checks: Record<string, string | number> = {
    "urls.blue": slots.urls.blue,
    "urls.green": slots.urls.green,
    "smoke.deadlineSeconds": 10,
    "smoke.timeoutSeconds": 2,
    "verify.everySeconds": 1,
    "verify.forSeconds": 1,
  };
  const pairs = Object.entries(checks).flatMap(([key, value]) => ["--plaintext", `services.payment-service.checks.${key}=${String(value)}`]);
  await engine.cli(["config", "set-all", "--path", ...pairs, "--stack", engine.stack.name]);
  try {
    await measure();
  } finally {
    await engine.cli(["config", "rm", "--path", "services.payment-service.checks", "--stack", engine.stack.name]);
    await engine.stack.up({ color: "never" });
  }
}

/** Runs a printed Pulumi-native rollback line, returning its time and where that time went. */
async function nativeRollback(line: string, engine: EngineStack, reached: () => Promise<void>): Promise<{ ms: number; parts: Breakdown }> {
  const clock = new EventClock();
  const started = performance.now();
  const steps = await runCommandLine(line, engine, { onEvent: clock.onEvent });
  await reached();
  return { ms: performance.now() - started, parts: breakdown(steps, started, clock) };
}

/**
 * `npx safe-deploy rollback SERVICE` as an operator runs it: the time until the cluster serves the
 * previous version (`reached`, polled while the command runs) and until the command is done (the stack agreed).
 */
async function commandRollback(engine: EngineStack, service: string, reached: () => Promise<void>): Promise<{ trafficMs: number; agreedMs: number }> {
  const started = performance.now();
  const command = runSafeDeploy(engine, ["rollback", service, "--stack", engine.stack.name, "--json"]);
  await reached();
  const trafficMs = performance.now() - started;
  const ran = await command;
  if (ran.code !== 0) throw new Error(`safe-deploy rollback ${service} exited ${ran.code}: ${ran.stderr}`);
  return { trafficMs, agreedMs: performance.now() - started };
}

async function upWith(engine: EngineStack, config: Record<string, string>): Promise<void> {
  for (const [key, value] of Object.entries(config)) await engine.stack.setConfig(key, { value }, true);
  await engine.stack.up({ color: "never" });
}

/** A Deployment kubectl and helm make themselves: the same pod template, no Pulumi. */
function bareManifest(name: string, version: string): string {
  return JSON.stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "bench-peers" },
    spec: {
      replicas: 5,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `registry.example.com/shop/user-api:${version}` }] } },
    },
  });
}

function writeChart(dir: string): string {
  const chart = path.join(dir, "user-api-chart");
  fs.mkdirSync(path.join(chart, "templates"), { recursive: true });
  fs.writeFileSync(path.join(chart, "Chart.yaml"), "apiVersion: v2\nname: user-api\nversion: 0.1.0\n");
  fs.writeFileSync(path.join(chart, "values.yaml"), "version: v2.3.1\n");
  fs.writeFileSync(
    path.join(chart, "templates", "deployment.yaml"),
    bareManifest("helm-user-api", "VERSION").replace(`:VERSION"`, `:{{ .Values.version }}"`).replace('"namespace":"bench-peers",', ""),
  );
  return chart;
}

async function main(): Promise<void> {
  const helmWanted = toolchainPresent(["helm"]).ok;
  const toolchain = toolchainPresent();
  if (!toolchain.ok) throw new Error(toolchain.message);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safe-deploy-bench-"));
  const cluster: LocalCluster = await startLocalCluster();
  const rows: Row[] = [];
  const row = (what: string) => {
    const found = rows.find((r) => r.what === what) ?? { what, ms: [] };
    if (!rows.includes(found)) rows.push(found);
    return found.ms;
  };
  const breakdowns = new Map<string, Breakdown[]>();
  let closeSlots = (): void => undefined;
  /** A Pulumi-native rollback, as printed: its time as a row, its breakdown kept for the table after. */
  const record = (strategy: string, result: { ms: number; parts: Breakdown }) => {
    row(`${strategy}: Pulumi-native (as printed)`).push(result.ms);
    breakdowns.set(strategy, [...(breakdowns.get(strategy) ?? []), result.parts]);
  };
  const recordCommand = (strategy: string, result: { trafficMs: number; agreedMs: number }) => {
    row(`${strategy}: safe-deploy rollback, traffic back`).push(result.trafficMs);
    row(`${strategy}: safe-deploy rollback, stack agreed`).push(result.agreedMs);
  };
  try {
    const kc = await loadKubeConfig(cluster.kubeconfigPath);
    const env = { ...process.env, KUBECONFIG: cluster.kubeconfigPath, PATH: `${path.dirname(toolchainBin("pulumi"))}:${process.env["PATH"] ?? ""}` };
    const sh = (command: string) => execFileAsync("/bin/sh", ["-c", command], { env, cwd: dir });

    for (let run = 0; run < RUNS; run++) {
      for (const stack of ["staging", "production"]) {
        const engine = await openEngineStack({ stack, kubeconfigPath: cluster.kubeconfigPath, editStackFile: localChecklistAlone(new Date()), dir: path.join(dir, `${stack}-timing-${run}`) });
        row(`pulumi up --stack ${stack} (from nothing)`).push(await timed(() => engine.stack.up({ color: "never" })));
        row(`pulumi preview --stack ${stack} (no changes)`).push(await timed(() => engine.stack.preview({ color: "never" })));
        await engine.stack.destroy({ color: "never" });
      }
    }

    // Production as it was before the release, then the release: rollout undo needs a revision to go back to.
    const engine = await openEngineStack({
      stack: "production",
      kubeconfigPath: cluster.kubeconfigPath,
      // The program refuses a production update whose checklist fails: the rehearsal's, staging-first waived.
      editStackFile: localChecklistAlone(new Date()),
      dir: path.join(dir, "production"),
      config: { "services.user-api.version": "v2.3.1", "services.user-api.previousVersion": "v2.2.0" },
    });
    await engine.stack.up({ color: "never" });
    await upWith(engine, { "services.user-api.version": "v2.4.0", "services.user-api.previousVersion": "v2.3.1" });
    const userApi = "registry.example.com/shop/user-api";
    await sh("kubectl create namespace bench-peers");
    await sh(`echo '${bareManifest("bare-user-api", "v2.3.1")}' | kubectl apply -f -`);
    await rolledOutTo(kc, "bench-peers", "bare-user-api", `${userApi}:v2.3.1`);
    const chart = writeChart(dir);
    if (helmWanted) await sh(`helm install helm-user-api ${chart} -n bench-peers --wait`);

    const slots = await slotServers();
    closeSlots = slots.close;
    for (let run = 0; run < RUNS; run++) {
      process.stderr.write(`run ${run + 1}/${RUNS}\n`);
      // Rolling: from v2.4.0 (released) back to v2.3.1.
      const plans = (await stackOutputs(engine)).services;
      row("rolling: quick (kubectl patch to the target)").push(
        await timed(async () => {
          await runCommandLine(plans["user-api"]!.rollback!.quick, engine);
          await rolledOutTo(kc, NS, "user-api", `${userApi}:v2.3.1`);
        }),
      );
      // Bring the cluster back in line with the stack (v2.4.0) before the next measurement.
      await upWith(engine, { "services.user-api.version": "v2.3.1", "services.user-api.previousVersion": "v2.4.0" });
      await upWith(engine, { "services.user-api.version": "v2.4.0", "services.user-api.previousVersion": "v2.3.1" });
      record(
        "rolling",
        await nativeRollback((await stackOutputs(engine)).services["user-api"]!.rollback!.pulumi, engine, () => rolledOutTo(kc, NS, "user-api", `${userApi}:v2.3.1`)),
      );
      await upWith(engine, { "services.user-api.version": "v2.4.0", "services.user-api.previousVersion": "v2.3.1" });
      recordCommand("rolling", await commandRollback(engine, "user-api", () => rolledOutTo(kc, NS, "user-api", `${userApi}:v2.3.1`)));
      await upWith(engine, { "services.user-api.version": "v2.4.0", "services.user-api.previousVersion": "v2.3.1" });

      await sh(`kubectl set image deployment/bare-user-api bare-user-api=${userApi}:v2.4.0 -n bench-peers && kubectl rollout status deployment/bare-user-api -n bench-peers`);
      row("rolling floor: bare kubectl rollout undo").push(
        await timed(async () => {
          await sh("kubectl rollout undo deployment/bare-user-api -n bench-peers");
          await rolledOutTo(kc, "bench-peers", "bare-user-api", `${userApi}:v2.3.1`);
        }),
      );
      if (helmWanted) {
        await sh(`helm upgrade helm-user-api ${chart} -n bench-peers --set version=v2.4.0 --wait`);
        row("rolling peer: helm rollback --wait").push(await timed(() => sh("helm rollback helm-user-api 0 -n bench-peers --wait")));
      }

      // Blue-green: green live, back to blue.
      const blueGreen = (await stackOutputs(engine)).services["payment-service"]!.rollback!;
      row("blue-green: quick (selector patch)").push(
        await timed(async () => {
          await runCommandLine(blueGreen.quick, engine);
          await endpointsOnSlot(kc, "blue");
        }),
      );
      await upWith(engine, { "services.payment-service.liveSlot": "blue" });
      await upWith(engine, { "services.payment-service.liveSlot": "green" });
      record("blue-green", await nativeRollback(blueGreen.pulumi, engine, () => endpointsOnSlot(kc, "blue")));
      await upWith(engine, { "services.payment-service.liveSlot": "green" });
      recordCommand("blue-green", await commandRollback(engine, "payment-service", () => endpointsOnSlot(kc, "blue")));
      await upWith(engine, { "services.payment-service.liveSlot": "green" });

      // Blue-green with checks, as a production stack should run it: blue's smoke test before the switch,
      // one verify round after it (blue served before), and no 10 s endpoint settle, since verify proves
      // the EndpointSlices moved. Each slot's URL is a loopback server playing that slot's version.
      await withChecks(engine, slots, async () => {
        await upWith(engine, { "services.payment-service.liveSlot": "blue" });
        await upWith(engine, { "services.payment-service.liveSlot": "green" });
        const checked = (await stackOutputs(engine)).services["payment-service"]!.rollback!;
        record("blue-green, checked", await nativeRollback(checked.pulumi, engine, () => endpointsOnSlot(kc, "blue")));
        await upWith(engine, { "services.payment-service.liveSlot": "green" });
      });

      // Canary: 20% back to none.
      const canary = (await stackOutputs(engine)).services["recommendation-engine"]!.rollback!;
      row("canary: quick (scale canary to 0)").push(
        await timed(async () => {
          await runCommandLine(canary.quick, engine);
          await noCanaryPods(kc);
        }),
      );
      await upWith(engine, { "services.recommendation-engine.canaryWeight": "0" });
      await upWith(engine, { "services.recommendation-engine.canaryWeight": "20" });
      record("canary", await nativeRollback(canary.pulumi, engine, noCanaryPods.bind(undefined, kc)));
      await upWith(engine, { "services.recommendation-engine.canaryWeight": "20" });
      recordCommand("canary", await commandRollback(engine, "recommendation-engine", noCanaryPods.bind(undefined, kc)));
      await upWith(engine, { "services.recommendation-engine.canaryWeight": "20" });
    }
  } finally {
    closeSlots();
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const sorted = (ms: number[]) => [...ms].sort((a, b) => a - b);
  const seconds = (ms: number | undefined) => ((ms ?? NaN) / 1000).toFixed(2).padStart(7);
  console.log(`\nrollback and engine times on the local cluster (stand-in providers), ${RUNS} runs, seconds`);
  console.log(`${"what".padEnd(48)}   min  median     max  runs`);
  for (const { what, ms } of rows) {
    const s = sorted(ms);
    console.log(`${what.padEnd(48)}${seconds(s[0])} ${seconds(s[Math.floor(s.length / 2)])} ${seconds(s.at(-1))}  ${String(s.length).padStart(4)}`);
  }
  if (!helmWanted) console.log("(helm not built: bash tools/toolchain/ensure.sh --with-helm adds the peer)");

  // Each strategy's Pulumi-native rollback beside helm rollback --wait of this same run, and where its time went.
  const median = (ms: readonly number[]) => sorted([...ms])[Math.floor(ms.length / 2)] ?? NaN;
  const helm = median(rows.find((r) => r.what === "rolling peer: helm rollback --wait")?.ms ?? []);
  console.log(`\nPulumi-native rollback as printed: medians in seconds, and the ratio to helm rollback --wait (${seconds(helm).trim()} s) in this run`);
  console.log(`${"strategy".padEnd(12)}${"total".padStart(8)}${"x helm".padStart(8)}${BREAKDOWN_PARTS.map((p) => p.padStart(23)).join("")}`);
  for (const [strategy, parts] of breakdowns) {
    const total = median(rows.find((r) => r.what === `${strategy}: Pulumi-native (as printed)`)?.ms ?? []);
    const cells = BREAKDOWN_PARTS.map((part) => seconds(median(parts.map((p) => p[part]))).padStart(23));
    console.log(`${strategy.padEnd(12)}${seconds(total).padStart(8)}${(total / helm).toFixed(2).padStart(8)}${cells.join("")}`);
  }
  console.log("(steps run in parallel where the dependency graph allows: each step column sums that kind's step times)");
  // The harness runs the program in-process; on a user's machine each of the CLI's two passes also starts index.ts.
  await printProgramStart(3);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
