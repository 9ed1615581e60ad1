// A local Kubernetes control plane for the end-to-end tier: etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler and kwok (simulated
// nodes and pods), all on 127.0.0.1, in a fresh temporary directory, with
// the binaries from tools/toolchain/ensure.sh. See ../../../shared/TOOLCHAIN.md
// ("A local Kubernetes control plane") for why each flag is there.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { CLUSTER_PIECES, gatewayApiCrdDir, toolchainBin, toolchainPresent } from "../toolchain/paths";
import { writeCredentials } from "./credentials";
import { freePorts } from "./free-ports";
import { applyGatewayApiCrds, crdsNotEstablished } from "./gateway-api";
import type { KubeConfig } from "./kube-client";
import { httpStatus, kubeClient, loadKubeConfig } from "./kube-client";
import { writeKubeconfig } from "./kubeconfig";
import { writeServingCertificate } from "./serving-certificate";
import { KWOK_NODE_ANNOTATION, nodesNotReady, registerFakeNodes } from "./nodes";
import type { NodeCapacity } from "./nodes";
import type { ComponentRecord } from "./processes";
import { ComponentProcess, killProcessesSync, stopComponents, tailLog } from "./processes";
import { CLUSTER_DIR_PREFIX, writeOwnerRecord } from "./orphans";
import { stageConfigFiles } from "./stages";
import { waitFor } from "./wait";

export interface LocalClusterOptions {
  /** Number of simulated nodes. @default 3 */
  readonly nodes?: number;
  /** Capacity of each simulated node. @default 32 cpu, 256Gi memory, 110 pods */
  readonly nodeCapacity?: NodeCapacity;
  /** Apply the Gateway API standard-channel CRDs and wait until they are Established. @default true */
  readonly gatewayApi?: boolean;
  /**
   * Leave the processes running when this process exits (the CLI's `start`);
   * stop them later with their pids (`components`). Otherwise they are
   * stopped on stop(), on exit, SIGINT and SIGTERM. @default false
   */
  readonly detached?: boolean;
  /** Where the temporary directory is made. @default os.tmpdir() */
  readonly parentDir?: string;
  /** Keep the directory (logs, etcd data) after stop() or a failed start. @default false */
  readonly keepDir?: boolean;
  /** Limit for each wait while starting (API up, nodes Ready, CRDs Established). @default 60_000 */
  readonly timeoutMs?: number;
  /** Receives one line per start step, e.g. `(line) => console.error(line)`. @default - silent */
  readonly log?: (line: string) => void;
}

/** Milliseconds from the call of startLocalCluster. */
export interface LocalClusterTimings {
  /** The API server answers /readyz. */
  readonly controlPlaneReadyMs: number;
  /** Every simulated node is Ready and untainted. */
  readonly nodesReadyMs: number;
  /** Everything, Gateway API CRDs included: startLocalCluster resolves. */
  readonly readyMs: number;
}

export interface LocalCluster {
  /** The temporary directory: kubeconfig, logs/, etcd data, keys. */
  readonly dir: string;
  /** Token-authenticated admin kubeconfig (current context safe-deploy-local). */
  readonly kubeconfigPath: string;
  /** https://127.0.0.1:PORT */
  readonly server: string;
  /** The processes, for logs and for stopping a detached cluster from elsewhere. */
  readonly components: readonly ComponentRecord[];
  readonly timings: LocalClusterTimings;
  /** Stops every process this cluster started and removes `dir` (unless keepDir). Idempotent. */
  stop(): Promise<void>;
}

/** Thrown when the cluster does not come up; the message carries the failing component's log tail. */
export class LocalClusterStartError extends Error {
  constructor(
    message: string,
    /** The component whose log is quoted, if one is to blame. */
    readonly component: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "LocalClusterStartError";
  }
}

const SERVICE_CLUSTER_IP_RANGE = "10.96.0.0/16";
const POD_CIDR = "10.244.0.1/16";

/** Starts a local cluster; resolves once the API answers, nodes are Ready and the CRDs are Established. */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const gatewayApi = options.gatewayApi ?? true;
  const nodeCount = options.nodes ?? 3;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const detached = options.detached ?? false;
  const log = options.log ?? ((): void => undefined);

  const needed = gatewayApi ? CLUSTER_PIECES : CLUSTER_PIECES.filter((p) => p !== "gateway-api-crds");
  const status = toolchainPresent(needed);
  if (!status.ok) throw new LocalClusterStartError(status.message, undefined);

  const t0 = performance.now();
  const since = (): number => Math.round(performance.now() - t0);
  const dir = fs.mkdtempSync(path.join(options.parentDir ?? os.tmpdir(), CLUSTER_DIR_PREFIX));
  const logDir = path.join(dir, "logs");
  fs.mkdirSync(logDir);
  const kubeconfigPath = path.join(dir, "kubeconfig");

  const started: ComponentProcess[] = [];
  const keepDir = options.keepDir ?? false;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      live.delete(entry);
      await stopComponents(started);
      if (!keepDir) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    })();
    return stopping;
  };
  const entry: LiveCluster = { dir, keepDir, components: started, stop };
  // Until start succeeds even a detached cluster is cleaned up on failure or Ctrl-C.
  live.add(entry);
  installExitHandlers();

  // Which component to blame when a wait fails: the one that died, else the
  // one the current step depends on.
  let suspect = "etcd";
  const diedReason = (): string | undefined => {
    const dead = started.find((c) => c.exit !== undefined);
    if (dead === undefined) return undefined;
    suspect = dead.name;
    return `${dead.name} exited (${dead.exit?.signal ?? `code ${String(dead.exit?.code)}`})`;
  };
  const wait = <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> =>
    waitFor(what, probe, { timeoutMs, abortReason: diedReason });
  const launch = async (name: string, bin: string, args: string[], env?: NodeJS.ProcessEnv): Promise<void> => {
    started.push(await ComponentProcess.start({ name, bin, args, cwd: dir, ...(env ? { env } : {}) }, logDir, detached));
    // On disk at once, so a cluster whose owner is killed mid-start can still be swept.
    writeOwnerRecord(dir, { ownerPid: process.pid, detached, components: started.map(toRecord) });
  };

  try {
    const [etcdClientPort, etcdPeerPort, apiPort, controllerManagerPort, schedulerPort] = await freePorts(5);
    const server = `https://127.0.0.1:${String(apiPort)}`;
    const etcdUrl = `http://127.0.0.1:${String(etcdClientPort)}`;
    const peerUrl = `http://127.0.0.1:${String(etcdPeerPort)}`;
    const [credentials, serving] = await Promise.all([
      writeCredentials(path.join(dir, "credentials")),
      writeServingCertificate(path.join(dir, "pki")),
    ]);

    log(`[cluster] starting etcd and kube-apiserver in ${dir}`);
    await launch("etcd", toolchainBin("etcd"), [
      "--name=safe-deploy",
      `--data-dir=${path.join(dir, "etcd")}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=safe-deploy=${peerUrl}`,
      // A throwaway cluster: durability buys nothing, fsync costs seconds on slow disks.
      "--unsafe-no-fsync=true",
      "--log-level=warn",
    ]);
    suspect = "kube-apiserver";
    await launch("kube-apiserver", toolchainBin("kube-apiserver"), [
      `--etcd-servers=${etcdUrl}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${String(apiPort)}`,
      `--tls-cert-file=${serving.certFile}`,
      `--tls-private-key-file=${serving.keyFile}`,
      `--token-auth-file=${credentials.tokenFile}`,
      "--authorization-mode=RBAC",
      `--service-account-key-file=${credentials.serviceAccountPublicKeyFile}`,
      `--service-account-signing-key-file=${credentials.serviceAccountKeyFile}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
      // The loopback address may not be an endpoint of the kubernetes Service.
      "--endpoint-reconciler-type=none",
      "--allow-privileged=true",
      "--profiling=false",
    ]);

    await writeKubeconfig(kubeconfigPath, { server, token: credentials.token, caPem: serving.caPem });
    const kc = await loadKubeConfig(kubeconfigPath);
    const k8s = await kubeClient();
    const health = new k8s.Health(kc);
    await wait(`kube-apiserver at ${server} to be ready`, async () => ((await health.readyz({})) ? true : undefined));
    const controlPlaneReadyMs = since();
    log(`[cluster] API server ready after ${ms(controlPlaneReadyMs)}`);

    const kubeconfigArgs = [`--kubeconfig=${kubeconfigPath}`, "--bind-address=127.0.0.1"];
    await launch("kube-controller-manager", toolchainBin("kube-controller-manager"), [
      ...kubeconfigArgs,
      `--secure-port=${String(controllerManagerPort)}`,
      // nodeipam needs a cluster CIDR we do not have; service-account tokens
      // are projected (TokenRequest), so the legacy token controller is not
      // needed. Node lifecycle stays on: it removes the not-ready taint.
      "--controllers=*,-nodeipam,-serviceaccount-token",
      `--root-ca-file=${serving.caFile}`,
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
      "--leader-elect=false",
      "--kube-api-qps=200",
      "--kube-api-burst=400",
    ]);
    await launch("kube-scheduler", toolchainBin("kube-scheduler"), [
      ...kubeconfigArgs,
      `--secure-port=${String(schedulerPort)}`,
      "--leader-elect=false",
    ]);
    await launch(
      "kwok",
      toolchainBin("kwok"),
      [
        `--kubeconfig=${kubeconfigPath}`,
        "--manage-all-nodes=false",
        `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION.key}=${KWOK_NODE_ANNOTATION.value}`,
        `--cidr=${POD_CIDR}`,
        ...stageConfigFiles().map((file) => `--config=${file}`),
      ],
      // kwok also reads $KWOK_WORKDIR/kwok.yaml (default ~/.kwok): keep a user's out.
      { ...process.env, KWOK_WORKDIR: path.join(dir, "kwok") },
    );

    log(`[cluster] registering ${String(nodeCount)} simulated nodes${gatewayApi ? ", applying the Gateway API CRDs" : ""}`);
    const crdsApplied = gatewayApi ? applyGatewayApiCrds(kc, gatewayApiCrdDir()) : Promise.resolve([]);
    // Pods are refused in a namespace until its default ServiceAccount exists.
    const defaultServiceAccount = wait("the default ServiceAccount (kube-controller-manager)", () =>
      defaultServiceAccountExists(kc),
    );
    const nodeNames = await registerFakeNodes(kc, nodeCount, options.nodeCapacity ?? {});
    suspect = "kwok";
    await wait(`${String(nodeCount)} simulated nodes to be Ready and untainted`, async () =>
      (await nodesNotReady(kc, nodeNames)) === undefined ? true : undefined,
    );
    const nodesReadyMs = since();
    log(`[cluster] nodes Ready after ${ms(nodesReadyMs)}`);
    suspect = "kube-apiserver";
    const crdNames = await crdsApplied;
    await wait("the Gateway API CRDs to be Established", async () =>
      (await crdsNotEstablished(kc, crdNames)) === undefined ? true : undefined,
    );
    suspect = "kube-controller-manager";
    await defaultServiceAccount;
    const readyMs = since();
    log(`[cluster] ready after ${ms(readyMs)}: export KUBECONFIG=${kubeconfigPath}`);

    if (detached) live.delete(entry); // from now on the caller owns the processes
    return {
      dir,
      kubeconfigPath,
      server,
      components: started.map(toRecord),
      timings: { controlPlaneReadyMs, nodesReadyMs, readyMs },
      stop,
    };
  } catch (error) {
    diedReason(); // a component that died is a better suspect than the step
    const blamed = started.find((c) => c.name === suspect);
    const tail = blamed === undefined ? "" : tailLog(blamed.logFile, 30);
    const message = error instanceof Error ? error.message : String(error);
    await stop().catch(() => undefined);
    throw new LocalClusterStartError(
      `local cluster did not start: ${message}` +
        (tail === "" ? "" : `\n--- last lines of ${suspect}.log ---\n${tail}\n---`) +
        (keepDir ? `\nlogs kept in ${logDir}` : ""),
      blamed?.name,
      { cause: error },
    );
  }
}

async function defaultServiceAccountExists(kc: KubeConfig): Promise<true | undefined> {
  const k8s = await kubeClient();
  try {
    await kc.makeApiClient(k8s.CoreV1Api).readNamespacedServiceAccount({ name: "default", namespace: "default" });
    return true;
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw error;
  }
}

function toRecord({ name, pid, exe, logFile }: ComponentRecord): ComponentRecord {
  return { name, pid, exe, logFile };
}

function ms(value: number): string {
  return `${(value / 1000).toFixed(1)} s`;
}

// --- cleanup on exit and signals ---------------------------------------------

interface LiveCluster {
  readonly dir: string;
  readonly keepDir: boolean;
  readonly components: readonly ComponentRecord[];
  readonly stop: () => Promise<void>;
}

/** Clusters whose processes this process must stop when it ends. */
const live = new Set<LiveCluster>();
let handlersInstalled = false;

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", () => {
    // Only synchronous work is possible here.
    for (const cluster of live) {
      killProcessesSync(cluster.components);
      if (!cluster.keepDir) fs.rmSync(cluster.dir, { recursive: true, force: true, maxRetries: 3 });
    }
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const onSignal = (): void => {
      void Promise.allSettled([...live].map((cluster) => cluster.stop())).then(() => {
        process.removeListener(signal, onSignal);
        // Without other listeners, re-raise so the process ends as the signal meant.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    };
    process.on(signal, onSignal);
  }
}
