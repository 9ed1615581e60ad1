// @kubernetes/client-node 2 is an ES module only. This project compiles as
// CommonJS (module node16), where a static import of it is error TS1479, so
// the module is loaded with a dynamic import() (kept as import() by tsc) and
// its types are imported with an explicit resolution mode.
export type KubeClientModule = typeof import("@kubernetes/client-node", {
  with: { "resolution-mode": "import" },
});

export type {
  KubeConfig,
  KubernetesObject,
  V1Deployment,
  V1Job,
  V1Node,
  V1Pod,
} from "@kubernetes/client-node" with { "resolution-mode": "import" };

let loading: Promise<KubeClientModule> | undefined;

/** The @kubernetes/client-node module, loaded once. */
export function kubeClient(): Promise<KubeClientModule> {
  loading ??= import("@kubernetes/client-node");
  return loading;
}

/** A KubeConfig from a kubeconfig file (e.g. LocalCluster.kubeconfigPath), read as everything else reads one. */
export { loadKubeConfig } from "../../lib/kubeconfig";

/** The HTTP status of a failed client-node call, or undefined for other errors. */
export function httpStatus(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === "number") return code;
  }
  return undefined;
}
