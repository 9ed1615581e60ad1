// The kubeconfig as the Kubernetes provider reads its stack config, for every
// reader of the cluster outside the provider: the checklist's cluster-healthy,
// the checker (`--kubeconfig`, `--context`) and the local cluster's tools.
// pulumi-kubernetes (provider/pkg/provider: parseKubeconfigString, Configure)
// takes `kubernetes:kubeconfig` as a path when a file is there (`~`
// expanded), else as the kubeconfig's own YAML or JSON; without it, or empty,
// client-go's default loading rules; and `kubernetes:context` replaces the
// kubeconfig's current-context.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { KubeConfig } from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { kubeClient } from "./kube-api";

/**
 * The environment variable that hands the checker's steps `kubernetes:kubeconfig` (a path or
 * the contents): through the command's environment, a Pulumi secret, never its command line.
 */
export const KUBECONFIG_ENV = "SAFE_DEPLOY_KUBECONFIG";

/** A kubeconfig value as an error may name it: quoted when it reads as a path, never its contents (they carry credentials). */
export function kubeconfigNamed(value: string): string {
  return value.includes("\n") || /^\s*[{[]/.test(value) || value.length > 1024 ? "the kubeconfig given" : `'${value}'`;
}

/** `~` and `~/...` as the home directory, as the provider expands them. */
function expandHome(value: string): string {
  if (value === "~") return os.homedir();
  return value.startsWith("~/") ? path.join(os.homedir(), value.slice(2)) : value;
}

/**
 * The KubeConfig of a `kubernetes:kubeconfig` value and a `kubernetes:context`.
 * Errors never quote a kubeconfig's contents, only a value that reads as a path.
 * @param kubeconfig a kubeconfig file's path, or a kubeconfig's own text. @default - client-node's usual places: $KUBECONFIG (a list, too), ~/.kube/config, in-cluster
 * @param context the context to use. @default - the kubeconfig's current-context
 */
export async function loadKubeConfig(kubeconfig?: string, context?: string): Promise<KubeConfig> {
  const k8s = await kubeClient();
  const kc = new k8s.KubeConfig();
  if (kubeconfig === undefined || kubeconfig === "") {
    kc.loadFromDefault();
  } else {
    const file = expandHome(kubeconfig);
    if (fs.existsSync(file)) loadFile(kc, file);
    else loadText(kc, kubeconfig);
  }
  if (context !== undefined && context !== "") {
    if (kc.getContextObject(context) === null) {
      const known = kc.getContexts().map((c) => `'${c.name}'`);
      throw new Error(`the kubeconfig has no context '${context}' (it has ${known.length === 0 ? "none" : known.join(", ")})`);
    }
    kc.setCurrentContext(context);
  }
  return kc;
}

function loadFile(kc: KubeConfig, file: string): void {
  try {
    kc.loadFromFile(file);
  } catch (error) {
    // A system error (EACCES, EISDIR) names the file only; a parser's message quotes the text around the fault.
    if (typeof error === "object" && error !== null && "syscall" in error) throw error;
    throw new Error(`'${file}' does not parse as a kubeconfig's YAML or JSON`);
  }
}

/** A value that is no file: a kubeconfig's own text, or a path to nothing (then it names no cluster). */
function loadText(kc: KubeConfig, text: string): void {
  const given = kubeconfigNamed(text);
  try {
    kc.loadFromString(text);
  } catch {
    // Not the parser's message: it quotes the text around the fault.
    throw new Error(`${given} is no file, and does not parse as a kubeconfig's YAML or JSON`);
  }
  if (kc.getClusters().length === 0 && kc.getContexts().length === 0) {
    throw new Error(`${given} is no file, and as a kubeconfig's text it names no cluster`);
  }
}
