import * as fs from "node:fs/promises";
import { stringify } from "yaml";

/** Name of the cluster, user and context in the kubeconfig we write. */
export const CONTEXT_NAME = "safe-deploy-local";

export interface KubeconfigSpec {
  /** https://127.0.0.1:PORT */
  readonly server: string;
  /** Bearer token (written to the file, never printed). */
  readonly token: string;
  /** PEM of the CA that signed the API server's serving certificate. */
  readonly caPem: string;
}

/** A kubeconfig with one cluster, one token user and one current context. */
export function kubeconfigYaml(spec: KubeconfigSpec): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: CONTEXT_NAME,
        cluster: {
          server: spec.server,
          "certificate-authority-data": Buffer.from(spec.caPem).toString("base64"),
        },
      },
    ],
    users: [{ name: CONTEXT_NAME, user: { token: spec.token } }],
    contexts: [{ name: CONTEXT_NAME, context: { cluster: CONTEXT_NAME, user: CONTEXT_NAME, namespace: "default" } }],
    "current-context": CONTEXT_NAME,
    preferences: {},
  });
}

/** Writes the kubeconfig readable by the owner only (it holds the admin token). */
export async function writeKubeconfig(file: string, spec: KubeconfigSpec): Promise<void> {
  await fs.writeFile(file, kubeconfigYaml(spec), { mode: 0o600 });
}
