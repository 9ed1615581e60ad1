// Whether kwok 0.7 can play a pod's port for `kubectl port-forward` (issue 15,
// item 3): a kwok managing one node with its kubelet API served
// (--server-address, the node advertising 127.0.0.1 and that port) and a
// ClusterPortForward to a loopback HTTP server. The API server proxies the
// port-forward to kwok, which connects the stream to the server: a request
// through the forwarded local port reaches it. This is the mechanism only;
// the end-to-end checks use URL targets (README, "The checks inside pulumi up").
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeClient, loadKubeConfig, type KubeConfig } from "../../tools/cluster/kube-client";
import { startLocalCluster, type LocalCluster } from "../../tools/cluster/local-cluster";
import { waitFor } from "../../tools/cluster/wait";
import { toolchainReady } from "../../tools/toolchain/gate";
import { CLUSTER_PIECES, toolchainBin } from "../../tools/toolchain/paths";
import { freePort, healthyService, startServer, type LoopbackServer } from "./loopback-server";

const NODE = "port-forward-node";

describe.skipIf(!toolchainReady("the kwok port-forward test", [...CLUSTER_PIECES, "kubectl"]))("kwok 0.7 port-forward to a loopback server", () => {
  let cluster: LocalCluster;
  let kc: KubeConfig;
  let server: LoopbackServer;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    cluster = await startLocalCluster({ nodes: 1, gatewayApi: false });
    kc = await loadKubeConfig(cluster.kubeconfigPath);
    server = await startServer(healthyService("v3.2.0"));
    const kubeletPort = await freePort();
    // The API server's own self-signed serving pair: it does not verify a kubelet's certificate
    // (no --kubelet-certificate-authority), so any pair will do for kwok's HTTPS.
    const cert = path.join(cluster.dir, "pki", "apiserver.crt");
    const config = path.join(cluster.dir, "port-forward.yaml");
    fs.writeFileSync(
      config,
      [
        "kind: ClusterPortForward",
        "apiVersion: kwok.x-k8s.io/v1alpha1",
        "metadata: { name: to-loopback }",
        "spec:",
        "  forwards:",
        `  - { ports: [8080], target: { port: ${server.port}, address: 127.0.0.1 } }`,
      ].join("\n"),
    );
    const k8s = await kubeClient();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const capacity = { cpu: "8", memory: "8Gi", pods: "20" };
    await core.createNode({ body: { metadata: { name: NODE }, spec: {}, status: { capacity, allocatable: capacity } } });
    const log = fs.openSync(path.join(cluster.dir, "kwok-port-forward.log"), "w");
    children.push(
      spawn(
        toolchainBin("kwok"),
        [
          `--kubeconfig=${cluster.kubeconfigPath}`,
          `--manage-single-node=${NODE}`,
          `--server-address=127.0.0.1:${kubeletPort}`,
          "--node-ip=127.0.0.1",
          `--node-port=${kubeletPort}`,
          `--tls-cert-file=${cert}`,
          `--tls-private-key-file=${cert.replace(/\.crt$/, ".key")}`,
          `--config=${config}`,
          "--cidr=10.9.0.1/24",
        ],
        { stdio: ["ignore", log, log], env: { ...process.env, KWOK_WORKDIR: path.join(cluster.dir, "kwok-port-forward") } },
      ),
    );
    await core.createNamespacedPod({
      namespace: "default",
      body: { metadata: { name: "payment-service-green-x" }, spec: { nodeName: NODE, containers: [{ name: "app", image: "registry.invalid/app:never-pulled", ports: [{ containerPort: 8080 }] }] } },
    });
    await waitFor("the pod Running on the kwok node", async () => ((await core.readNamespacedPod({ namespace: "default", name: "payment-service-green-x" })).status?.phase === "Running" ? true : undefined), { timeoutMs: 30_000 });
  }, 120_000);

  afterAll(async () => {
    for (const child of children) child.kill();
    await server?.close();
    await cluster?.stop();
  }, 60_000);

  it("reaches the loopback server through kubectl port-forward", async () => {
    const local = await freePort();
    const forward = spawn(toolchainBin("kubectl"), [`--kubeconfig=${cluster.kubeconfigPath}`, "port-forward", "pod/payment-service-green-x", `${local}:8080`], { stdio: "ignore" });
    children.push(forward);

    const body = await waitFor(
      "an answer through the port-forward",
      async () => {
        const response = await fetch(`http://127.0.0.1:${local}/version`, { signal: AbortSignal.timeout(2000) });
        return response.ok ? await response.text() : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );

    expect(JSON.parse(body)).toEqual({ version: "v3.2.0" });
    expect(server.received.map((r) => r.path)).toContain("/version");
  }, 60_000);
});
