// Argo Rollouts' controller on the local cluster, as a peer to measure
// against: its CRDs applied with kubectl, the controller run out of cluster
// against the cluster's kubeconfig, watching one namespace, stopped by pid.
// Both come from `bash tools/toolchain/ensure.sh --with-argo`.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import {
  ARGO_ROLLOUTS_PIECES,
  argoRolloutsControllerBin,
  argoRolloutsCrdDir,
  toolchainBin,
  toolchainPresent,
} from "../toolchain/paths";
import { freePorts } from "./free-ports";
import { ComponentProcess, killProcessesSync, stopProcesses, tailLog } from "./processes";
import { waitUntil } from "./wait";

const execFileAsync = promisify(execFile);

/** Bound on each wait: the CRDs Established, the controller's caches synced. */
const TIMEOUT_MS = 60_000;

/**
 * Logged once the informer caches have synced and the workers run. /healthz
 * alone proves less: it answers "ok" before the caches sync.
 */
const STARTED_LINE = "Started controller";

export interface ArgoRollouts {
  readonly pid: number;
  /** The controller's stdout and stderr; removed by stop(), so read it before. */
  readonly logFile: string;
  /** SIGTERM, SIGKILL after 5 s; resolves when the process is gone. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Applies Argo Rollouts' CRDs to the cluster of `kubeconfigPath` and starts
 * the controller for `namespace` only; resolves once it reconciles.
 */
export async function startArgoRollouts(kubeconfigPath: string, namespace: string): Promise<ArgoRollouts> {
  const status = toolchainPresent(ARGO_ROLLOUTS_PIECES);
  if (!status.ok) throw new Error(status.message);

  await applyCrds(kubeconfigPath);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safe-deploy-argo-rollouts-"));
  // Its healthz and metrics servers bind 0.0.0.0 (there is no address flag):
  // free ports at least keep two runs, or a second controller, apart.
  const [healthzPort, metricsPort] = await freePorts(2);
  const args = [
    `--kubeconfig=${kubeconfigPath}`,
    // Namespaced mode watches the one namespace (no cluster-wide informers,
    // no ClusterAnalysisTemplates); --namespace names it.
    "--namespaced",
    `--namespace=${namespace}`,
    `--healthzPort=${String(healthzPort)}`,
    `--metricsPort=${String(metricsPort)}`,
    // One controller per run: a Lease would only delay the start.
    "--leader-elect=false",
    "--logformat=text",
  ];
  const controller = await ComponentProcess.start(
    {
      name: "argo-rollouts",
      bin: argoRolloutsControllerBin(),
      args,
      // Plugins would be downloaded to ./plugin-bin: keep that out of the caller's directory.
      cwd: dir,
      // Where it reads its ConfigMap (argo-rollouts-config) and notification
      // settings; without it a host's service-account namespace file, else
      // "argo-rollouts", decides.
      env: { ...process.env, POD_NAMESPACE: namespace },
    },
    dir,
    false,
  );

  // Not detached, yet a child outlives a parent that exits without stopping
  // it (a failed test run): kill it then, synchronously.
  const killOnExit = (): void => killProcessesSync([controller]);
  process.once("exit", killOnExit);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.removeListener("exit", killOnExit);
      await stopProcesses([controller]);
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    })();
    return stopping;
  };

  const exited = (): string | undefined =>
    controller.exit === undefined ? undefined : `it exited (${controller.exit.signal ?? `code ${String(controller.exit.code)}`})`;
  try {
    await waitUntil(
      `Argo Rollouts' controller to sync its caches ("${STARTED_LINE}" in ${controller.logFile}) and answer /healthz on port ${String(healthzPort)}`,
      async () => fs.readFileSync(controller.logFile, "utf8").includes(STARTED_LINE) && (await healthz(healthzPort)),
      { timeoutMs: TIMEOUT_MS, intervalMs: 200, abortReason: exited },
    );
  } catch (error) {
    const tail = tailLog(controller.logFile, 30);
    await stop().catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`Argo Rollouts did not start: ${message}\n--- last lines of ${path.basename(controller.logFile)} ---\n${tail}\n---`, {
      cause: error,
    });
  }
  return { pid: controller.pid, logFile: controller.logFile, stop };
}

/**
 * Server-side apply: the CRDs are 500-650 kB each, and a client-side apply's
 * last-applied-configuration annotation may hold only 256 kB. Idempotent, so
 * a second start against the same cluster is fine.
 */
async function applyCrds(kubeconfigPath: string): Promise<void> {
  const dir = argoRolloutsCrdDir();
  const kubectl = async (...args: string[]): Promise<void> => {
    try {
      await execFileAsync(toolchainBin("kubectl"), [`--kubeconfig=${kubeconfigPath}`, ...args]);
    } catch (error) {
      const stderr = typeof error === "object" && error !== null && "stderr" in error ? String(error.stderr).trim() : "";
      throw new Error(`kubectl ${args.join(" ")} failed${stderr === "" ? "" : `: ${stderr}`}`, { cause: error });
    }
  };
  await kubectl("apply", "--server-side", "--force-conflicts", "--field-manager=safe-deploy-argo-rollouts", "-f", dir);
  // A Rollout applied before its CRD is Established is refused ("no matches for kind").
  await kubectl("wait", "--for=condition=Established", `--timeout=${String(TIMEOUT_MS / 1000)}s`, "-f", dir);
}

async function healthz(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${String(port)}/healthz`, { signal: AbortSignal.timeout(2000) });
  return response.ok;
}
