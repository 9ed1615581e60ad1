// A local cluster that outlives the command, for working by hand:
//
//   tools/run tsx tools/cluster/cli.ts start [--nodes N] [--no-gateway-api]
//   tools/run tsx tools/cluster/cli.ts status
//   tools/run tsx tools/cluster/cli.ts check      # the checks of local-cluster.test.ts
//   tools/run tsx tools/cluster/cli.ts stop
//   tools/run tsx tools/cluster/cli.ts sweep      # stop clusters whose owner was SIGKILLed
//
// `start` and `status` print the kubeconfig path on stderr with the
// progress, and only `export KUBECONFIG=...` on stdout, so
// `eval "$(tools/run tsx tools/cluster/cli.ts start)"` works. The pids and
// paths are recorded in $CACHE/cluster/state.json for `status` and `stop`.
// --keep-dir keeps the directory (and its logs) when the start fails.
import { parseArgs } from "node:util";
import { runClusterChecks } from "./checks";
import type { ClusterState } from "./cluster-state";
import { clusterStateFile, deadComponents, readClusterState, stopRecordedCluster, writeClusterState } from "./cluster-state";
import { kubeClient, loadKubeConfig } from "./kube-client";
import { startLocalCluster } from "./local-cluster";
import { nodesNotReady } from "./nodes";
import { sweepOrphanedClusters } from "./orphans";

const USAGE = `usage: tsx tools/cluster/cli.ts start [--nodes N] [--no-gateway-api] [--keep-dir]
                               status | check | stop | sweep`;

const err = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      nodes: { type: "string" },
      "no-gateway-api": { type: "boolean" },
      "keep-dir": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const command = positionals[0];
  if (values.help === true || command === undefined) {
    err(USAGE);
    return command === undefined && values.help !== true ? 2 : 0;
  }
  switch (command) {
    case "start":
      return start({
        nodes: values.nodes === undefined ? 3 : parseNodes(values.nodes),
        gatewayApi: values["no-gateway-api"] !== true,
        keepDir: values["keep-dir"] === true,
      });
    case "status":
      return status();
    case "check":
      return check();
    case "stop":
      return stop();
    case "sweep":
      return sweep();
    default:
      err(`unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

function parseNodes(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new Error(`--nodes must be an integer from 1 to 100, got "${text}"`);
  return n;
}

function printEnv(state: ClusterState): void {
  err(`[cluster] kubeconfig: ${state.kubeconfigPath}`);
  process.stdout.write(`export KUBECONFIG=${state.kubeconfigPath}\n`);
}

async function start(options: { nodes: number; gatewayApi: boolean; keepDir: boolean }): Promise<number> {
  const previous = readClusterState();
  if (previous !== undefined) {
    if (deadComponents(previous).length === 0) {
      err(`[cluster] already running (${previous.server}, started ${previous.startedAt})`);
      printEnv(previous);
      return 0;
    }
    err("[cluster] cleaning up a previous cluster that is no longer whole");
    await stopRecordedCluster(previous);
  }
  const cluster = await startLocalCluster({ ...options, detached: true, log: err });
  const state: ClusterState = {
    dir: cluster.dir,
    kubeconfigPath: cluster.kubeconfigPath,
    server: cluster.server,
    components: cluster.components,
    timings: cluster.timings,
    startedAt: new Date().toISOString(),
  };
  writeClusterState(state);
  const t = cluster.timings;
  err(
    `[cluster] started: control plane ready ${seconds(t.controlPlaneReadyMs)}, nodes Ready ${seconds(t.nodesReadyMs)}, ` +
      `all ready ${seconds(t.readyMs)}; pids in ${clusterStateFile()}`,
  );
  printEnv(state);
  return 0;
}

async function status(): Promise<number> {
  const state = readClusterState();
  if (state === undefined) {
    err("[cluster] not running (no state file)");
    return 1;
  }
  const dead = deadComponents(state);
  let api = "not answering";
  let nodes = "unknown";
  try {
    const kc = await loadKubeConfig(state.kubeconfigPath);
    const k8s = await kubeClient();
    if (await new k8s.Health(kc).readyz({ timeout: 2000 })) {
      api = "ready";
      const names = (await kc.makeApiClient(k8s.CoreV1Api).listNode()).items.map((n) => n.metadata?.name ?? "");
      const problem = await nodesNotReady(kc, names);
      nodes = problem === undefined ? `${String(names.length)} Ready` : problem;
    }
  } catch (error) {
    api = `not answering (${error instanceof Error ? error.message : String(error)})`;
  }
  const healthy = dead.length === 0 && api === "ready" && !nodes.includes(" Ready=") && !nodes.includes("tainted");
  err(`[cluster] ${healthy ? "running" : "NOT healthy"}: ${state.server}, started ${state.startedAt}`);
  err(`  API: ${api}; nodes: ${nodes}`);
  if (dead.length > 0) err(`  exited: ${dead.map((c) => `${c.name} (log ${c.logFile})`).join(", ")}`);
  printEnv(state);
  return healthy ? 0 : 1;
}

async function check(): Promise<number> {
  const state = readClusterState();
  if (state === undefined) {
    err("[cluster] not running; start it with: tools/run tsx tools/cluster/cli.ts start");
    return 1;
  }
  const results = await runClusterChecks(await loadKubeConfig(state.kubeconfigPath));
  for (const result of results) err(`  ok  ${result.name} in ${seconds(result.ms)}`);
  return 0;
}

async function stop(): Promise<number> {
  const state = readClusterState();
  if (state === undefined) {
    err("[cluster] not running");
    return 0;
  }
  await stopRecordedCluster(state);
  err(`[cluster] stopped; removed ${state.dir}`);
  return 0;
}

async function sweep(): Promise<number> {
  const swept = await sweepOrphanedClusters();
  err(swept.length === 0 ? "[cluster] no orphaned clusters" : `[cluster] stopped and removed: ${swept.join(", ")}`);
  return 0;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    // Includes the failing component's log tail, or the ensure.sh command when the toolchain is missing.
    err(`[cluster] ${message}`);
    process.exit(1);
  },
);
