// The Gateway API's standard-channel CRDs (GatewayClass, Gateway, HTTPRoute,
// GRPCRoute, ReferenceGrant, BackendTLSPolicy), applied from the copy
// ensure.sh makes out of the sigs.k8s.io/gateway-api module.
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import type { KubeConfig, KubernetesObject } from "./kube-client";
import { kubeClient } from "./kube-client";

/** Every object in the `*.yaml` files of `dir`, in file order. */
export async function readManifests(dir: string): Promise<KubernetesObject[]> {
  const files = (await fs.readdir(dir)).filter((name) => name.endsWith(".yaml")).sort();
  if (files.length === 0) throw new Error(`no *.yaml in ${dir} (run: bash tools/toolchain/ensure.sh)`);
  const objects: KubernetesObject[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await fs.readFile(path.join(dir, file), "utf8"))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message ?? "YAML error"}`);
      const value: unknown = doc.toJS();
      if (value !== null && typeof value === "object" && "kind" in value) objects.push(value as KubernetesObject);
    }
  }
  return objects;
}

/** Creates the CRDs found in `dir`; returns their names. */
export async function applyGatewayApiCrds(kc: KubeConfig, dir: string): Promise<string[]> {
  const k8s = await kubeClient();
  const client = k8s.KubernetesObjectApi.makeApiClient(kc);
  const objects = await readManifests(dir);
  await Promise.all(objects.map((object) => client.create(object)));
  return objects
    .filter((object) => object.kind === "CustomResourceDefinition")
    .map((object) => object.metadata?.name ?? "");
}

/** Which of the named CRDs are not Established yet (undefined when all are). */
export async function crdsNotEstablished(kc: KubeConfig, names: readonly string[]): Promise<string | undefined> {
  const k8s = await kubeClient();
  const api = kc.makeApiClient(k8s.ApiextensionsV1Api);
  const list = await api.listCustomResourceDefinition();
  const pending = names.filter((name) => {
    const crd = list.items.find((item) => item.metadata?.name === name);
    return crd?.status?.conditions?.find((c) => c.type === "Established")?.status !== "True";
  });
  return pending.length === 0 ? undefined : `not Established: ${pending.join(", ")}`;
}
