// A kwok that manages one node with its kubelet API served, so the API server can proxy
// `port-forward` to it, and a ClusterPortForward that connects each forwarded pod port to a
// loopback address: a port-forward to a pod on that node reaches a loopback HTTP server.
// Shared by the kwok port-forward mechanism test and the checker's --port-forward test.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { kubeClient, type KubeConfig } from "../../tools/cluster/kube-client";
import type { LocalCluster } from "../../tools/cluster/local-cluster";
import { toolchainBin } from "../../tools/toolchain/paths";
import { freePort } from "./loopback-server";

export interface PodPortForward {
  /** The pod's (container) port that is forwarded. */
  readonly podPort: number;
  /** The loopback port it reaches. */
  readonly toPort: number;
}

export interface KwokKubelet {
  readonly node: string;
  stop(): void;
}

/** Creates `node` and starts its kwok (pods scheduled with `nodeName: node` run "on" it). */
export async function startKwokKubelet(cluster: LocalCluster, kc: KubeConfig, node: string, forwards: readonly PodPortForward[]): Promise<KwokKubelet> {
  const kubeletPort = await freePort();
  // The API server's own serving pair: it does not verify a kubelet's certificate
  // (no --kubelet-certificate-authority), so any pair will do for kwok's HTTPS.
  const cert = path.join(cluster.dir, "pki", "apiserver.crt");
  const config = path.join(cluster.dir, `port-forward-${node}.yaml`);
  fs.writeFileSync(
    config,
    [
      "kind: ClusterPortForward",
      "apiVersion: kwok.x-k8s.io/v1alpha1",
      "metadata: { name: to-loopback }",
      "spec:",
      "  forwards:",
      ...forwards.map((f) => `  - { ports: [${f.podPort}], target: { port: ${f.toPort}, address: 127.0.0.1 } }`),
    ].join("\n"),
  );
  const k8s = await kubeClient();
  const capacity = { cpu: "8", memory: "8Gi", pods: "20" };
  await kc.makeApiClient(k8s.CoreV1Api).createNode({ body: { metadata: { name: node }, spec: {}, status: { capacity, allocatable: capacity } } });
  const log = fs.openSync(path.join(cluster.dir, `kwok-${node}.log`), "w");
  const child: ChildProcess = spawn(
    toolchainBin("kwok"),
    [
      `--kubeconfig=${cluster.kubeconfigPath}`,
      `--manage-single-node=${node}`,
      `--server-address=127.0.0.1:${kubeletPort}`,
      "--node-ip=127.0.0.1",
      `--node-port=${kubeletPort}`,
      `--tls-cert-file=${cert}`,
      `--tls-private-key-file=${cert.replace(/\.crt$/, ".key")}`,
      `--config=${config}`,
      "--cidr=10.9.0.1/24",
    ],
    { stdio: ["ignore", log, log], env: { ...process.env, KWOK_WORKDIR: path.join(cluster.dir, `kwok-${node}`) } },
  );
  return { node, stop: () => child.kill() };
}
