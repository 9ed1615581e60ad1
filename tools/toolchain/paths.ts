// Where tools/toolchain/ensure.sh puts the end-to-end toolchain, and whether
// it is there. Tests use toolchainPresent() to skip loudly instead of failing
// on a machine that has not run ensure.sh.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The command that installs (or builds) everything listed here. */
export const ENSURE_COMMAND = "bash tools/toolchain/ensure.sh";

/** Executables ensure.sh links into `$CACHE/bin`. */
export type ToolchainBinary =
  | "pulumi"
  | "etcd"
  | "kube-apiserver"
  | "kube-controller-manager"
  | "kube-scheduler"
  | "kubectl"
  | "kwok"
  | "helm"
  | "rollouts-controller"
  | "actionlint";

/** Everything ensure.sh provides: the binaries and three sets of manifests. */
export type ToolchainPiece = ToolchainBinary | "gateway-api-crds" | "kwok-stages" | "argo-rollouts-crds";

/** What the local cluster needs. */
export const CLUSTER_PIECES: readonly ToolchainPiece[] = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kwok",
  "kwok-stages",
  "gateway-api-crds",
];

/** What the end-to-end tier needs: the cluster, the Pulumi CLI and kubectl (helm is only for a benchmark). */
export const END_TO_END_PIECES: readonly ToolchainPiece[] = [...CLUSTER_PIECES, "pulumi", "kubectl"];

/** What linting `.github/workflows/` needs (the unit tier's test/unit/workflows.test.ts). */
export const WORKFLOW_LINT_PIECES: readonly ToolchainPiece[] = ["actionlint"];

/** What running Argo Rollouts on the local cluster needs (a peer to measure against; `--with-argo`). */
export const ARGO_ROLLOUTS_PIECES: readonly ToolchainPiece[] = ["rollouts-controller", "argo-rollouts-crds", "kubectl"];

export interface ToolchainVersions {
  readonly pulumi: string;
  readonly etcd: string;
  readonly kubernetes: string;
  readonly kwok: string;
  readonly gatewayApi: string;
  readonly helm: string;
  readonly argoRollouts: string;
  readonly actionlint: string;
}

/** The pinned versions, read from tools/toolchain/versions.env (shared with ensure.sh). */
export function toolchainVersions(): ToolchainVersions {
  const file = path.join(__dirname, "versions.env");
  const values = new Map<string, string>();
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const match = /^([A-Z_]+)=(\S+)\s*$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) values.set(match[1], match[2]);
  }
  const get = (key: string): string => {
    const value = values.get(key);
    if (value === undefined) throw new Error(`${file} has no ${key}=...`);
    return value;
  };
  return {
    pulumi: get("PULUMI_VERSION"),
    etcd: get("ETCD_VERSION"),
    kubernetes: get("KUBERNETES_VERSION"),
    kwok: get("KWOK_VERSION"),
    gatewayApi: get("GATEWAY_API_VERSION"),
    helm: get("HELM_VERSION"),
    argoRollouts: get("ARGO_ROLLOUTS_VERSION"),
    actionlint: get("ACTIONLINT_VERSION"),
  };
}

/**
 * The cache directory, by the same rule as ensure.sh:
 * `$SAFE_DEPLOY_CACHE`, else `$XDG_CACHE_HOME/safe-deploy`, else `~/.cache/safe-deploy`.
 */
export function toolchainCache(env: NodeJS.ProcessEnv = process.env): string {
  // `||`, not `??`: an empty variable means unset, as `${VAR:-...}` does in the script.
  const explicit = env["SAFE_DEPLOY_CACHE"] || undefined;
  if (explicit !== undefined) return explicit;
  const xdg = env["XDG_CACHE_HOME"] || path.join(env["HOME"] || os.homedir(), ".cache");
  return path.join(xdg, "safe-deploy");
}

/** `$CACHE/bin`: put it first on PATH to use the toolchain (`ensure.sh --print-env`). */
export function toolchainBinDir(): string {
  return path.join(toolchainCache(), "bin");
}

/** A copy of `env` with `$CACHE/bin` first on PATH (for the Automation API's `envVars`, child processes). */
export function withToolchainPath(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const rest = env["PATH"] ?? "";
  return { ...env, PATH: rest === "" ? toolchainBinDir() : `${toolchainBinDir()}${path.delimiter}${rest}` };
}

/** Path of one toolchain executable (it may not exist: see toolchainPresent). */
export function toolchainBin(name: ToolchainBinary): string {
  return path.join(toolchainBinDir(), name);
}

/** Directory of the standard-channel Gateway API CRDs (`*.yaml`). */
export function gatewayApiCrdDir(): string {
  return path.join(toolchainCache(), `gateway-api-${toolchainVersions().gatewayApi}`, "crds");
}

/** Directory of kwok's own stage configs (`*.yaml`). */
export function kwokStageDir(): string {
  return path.join(toolchainCache(), `kwok-${toolchainVersions().kwok}`, "stages");
}

/** Argo Rollouts' controller (`rollouts-controller`, run out of cluster against a kubeconfig). */
export function argoRolloutsControllerBin(): string {
  return toolchainBin("rollouts-controller");
}

/** Directory of Argo Rollouts' CRDs (`*.yaml`: Rollout, AnalysisRun, AnalysisTemplate, ClusterAnalysisTemplate, Experiment). */
export function argoRolloutsCrdDir(): string {
  return path.join(toolchainCache(), `argo-rollouts-${toolchainVersions().argoRollouts}`, "crds");
}

export interface ToolchainStatus {
  /** True when every requested piece is present. */
  readonly ok: boolean;
  /** The pieces that are not, by name. */
  readonly missing: string[];
  /** A one-line explanation naming the missing pieces and ENSURE_COMMAND ('' when ok). */
  readonly message: string;
}

/**
 * Whether the requested pieces are in the cache.
 * @default pieces END_TO_END_PIECES
 */
export function toolchainPresent(pieces: readonly ToolchainPiece[] = END_TO_END_PIECES): ToolchainStatus {
  const missing = pieces.filter((piece) => !piecePresent(piece));
  const withHelm = missing.includes("helm") ? " --with-helm" : "";
  const withArgo = missing.includes("rollouts-controller") || missing.includes("argo-rollouts-crds") ? " --with-argo" : "";
  const message =
    missing.length === 0
      ? ""
      : `safe-deploy toolchain missing in ${toolchainCache()}: ${missing.join(", ")}. ` +
        `Install it with: ${ENSURE_COMMAND}${withHelm}${withArgo} (about 14 minutes cold on 2 cores; seconds once built).`;
  return { ok: missing.length === 0, missing, message };
}

function piecePresent(piece: ToolchainPiece): boolean {
  switch (piece) {
    case "gateway-api-crds":
      return hasYaml(gatewayApiCrdDir());
    case "kwok-stages":
      return hasYaml(kwokStageDir());
    case "argo-rollouts-crds":
      return hasYaml(argoRolloutsCrdDir());
    default:
      return isExecutable(toolchainBin(piece));
  }
}

function hasYaml(dir: string): boolean {
  try {
    return fs.readdirSync(dir).some((name) => name.endsWith(".yaml"));
  } catch {
    return false;
  }
}

function isExecutable(file: string): boolean {
  try {
    // Follows the symlink: a link to a binary that is gone counts as missing.
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
