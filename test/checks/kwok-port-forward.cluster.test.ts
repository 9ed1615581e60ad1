// Whether kwok 0.7 can play a pod's port for `kubectl port-forward` (issue 15,
// item 3): a kwok managing one node with its kubelet API served
// (--server-address, the node advertising 127.0.0.1 and that port) and a
// ClusterPortForward to a loopback HTTP server. The API server proxies the
// port-forward to kwok, which connects the stream to the server: a request
// through the forwarded local port reaches it. This is the mechanism only
// (kwok-kubelet.ts); port-forward-target.cluster.test.ts drives the checker's
// own --port-forward through it.
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeClient, loadKubeConfig, type KubeConfig } from "../../tools/cluster/kube-client";
import { startLocalCluster, type LocalCluster } from "../../tools/cluster/local-cluster";
import { waitFor } from "../../tools/cluster/wait";
import { toolchainReady } from "../../tools/toolchain/gate";
import { CLUSTER_PIECES, toolchainBin } from "../../tools/toolchain/paths";
import { startKwokKubelet, type KwokKubelet } from "./kwok-kubelet";
import { freePort, healthyService, startServer, type LoopbackServer } from "./loopback-server";

const NODE = "port-forward-node";

describe.skipIf(!toolchainReady("the kwok port-forward test", [...CLUSTER_PIECES, "kubectl"]))("kwok 0.7 port-forward to a loopback server", () => {
  let cluster: LocalCluster;
  let kc: KubeConfig;
  let server: LoopbackServer;
  let kubelet: KwokKubelet | undefined;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    cluster = await startLocalCluster({ nodes: 1, gatewayApi: false });
    kc = await loadKubeConfig(cluster.kubeconfigPath);
    server = await startServer(healthyService("v3.2.0"));
    kubelet = await startKwokKubelet(cluster, kc, NODE, [{ podPort: 8080, toPort: server.port }]);
    const k8s = await kubeClient();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedPod({
      namespace: "default",
      body: { metadata: { name: "payment-service-green-x" }, spec: { nodeName: NODE, containers: [{ name: "app", image: "registry.invalid/app:never-pulled", ports: [{ containerPort: 8080 }] }] } },
    });
    await waitFor("the pod Running on the kwok node", async () => ((await core.readNamespacedPod({ namespace: "default", name: "payment-service-green-x" })).status?.phase === "Running" ? true : undefined), { timeoutMs: 30_000 });
  }, 120_000);

  afterAll(async () => {
    for (const child of children) child.kill();
    kubelet?.stop();
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
