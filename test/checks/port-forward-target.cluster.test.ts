// `safe-deploy-check smoke --port-forward svc/NAME:PORT` against the local cluster: the checker
// opens the forward itself through the Kubernetes API to a ready pod behind the Service, and
// kwok (kwok-kubelet.ts) connects that pod's port to a loopback server playing v3.2.0. A Service
// with no ready pod, or a pod port that cannot be reached, fails within the setup's bound, saying so.
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCheckNamespace } from "../../tools/cluster/checks";
import { kubeClient, loadKubeConfig, type KubeConfig } from "../../tools/cluster/kube-client";
import { startLocalCluster, type LocalCluster } from "../../tools/cluster/local-cluster";
import { waitFor } from "../../tools/cluster/wait";
import { toolchainReady } from "../../tools/toolchain/gate";
import { CLUSTER_PIECES } from "../../tools/toolchain/paths";
import { startKwokKubelet, type KwokKubelet } from "./kwok-kubelet";
import { healthyService, startServer, type LoopbackServer } from "./loopback-server";
import { expectWithinBound } from "../support/time-bound";

const BIN = resolve(__dirname, "../../checks/bin/safe-deploy-check.cjs");
const NODE = "port-forward-target-node";
const IMAGE = "registry.invalid/payment-service:never-pulled"; // kwok runs no containers

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** The checker's own start (Node, then tsx compiling it) on a loaded machine: outside its bounds. */
const NODE_START_MS = 3000;

/** The bin in a child process, bounded so a hang fails the test. */
function check(args: readonly string[]): Promise<Run> {
  const started = performance.now();
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? "" }, timeout: 40_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
      done({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

describe.skipIf(!toolchainReady("the checker's --port-forward tests", [...CLUSTER_PIECES]))("safe-deploy-check --port-forward", () => {
  let cluster: LocalCluster;
  let kc: KubeConfig;
  let namespace: string;
  let server: LoopbackServer;
  let kubelet: KwokKubelet | undefined;
  const target = (service: string) => ["--port-forward", `svc/${service}:80`, "--namespace", namespace, "--kubeconfig", cluster.kubeconfigPath];

  beforeAll(async () => {
    cluster = await startLocalCluster({ nodes: 1, gatewayApi: false });
    kc = await loadKubeConfig(cluster.kubeconfigPath);
    namespace = await createCheckNamespace(kc, "port-forward");
    server = await startServer(healthyService("v3.2.0"));
    kubelet = await startKwokKubelet(cluster, kc, NODE, [{ podPort: 8080, toPort: server.port }]);
    const k8s = await kubeClient();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const labels = { app: "payment-service", slot: "green" };
    await kc.makeApiClient(k8s.AppsV1Api).createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: "payment-service-green", labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          // A named targetPort: the checker maps Service port 80 to the container port 'http'.
          template: { metadata: { labels }, spec: { nodeName: NODE, containers: [{ name: "app", image: IMAGE, ports: [{ name: "http", containerPort: 8080 }] }] } },
        },
      },
    });
    const service = (name: string, selector: Record<string, string>) => ({ metadata: { name }, spec: { selector, ports: [{ name: "http", port: 80, targetPort: "http" }, { name: "other", port: 81, targetPort: 9090 }] } });
    await core.createNamespacedService({ namespace, body: service("payment-service-green", labels) });
    await core.createNamespacedService({ namespace, body: service("payment-service-idle", { app: "payment-service", slot: "idle" }) });
    const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
    await waitFor("a ready endpoint behind payment-service-green", async () => {
      const slices = await discovery.listNamespacedEndpointSlice({ namespace, labelSelector: "kubernetes.io/service-name=payment-service-green" });
      return slices.items.some((slice) => (slice.endpoints ?? []).some((e) => e.conditions?.ready === true)) ? true : undefined;
    }, { timeoutMs: 60_000 });
  }, 180_000);

  afterAll(async () => {
    kubelet?.stop();
    await server?.close();
    await cluster?.stop();
  }, 60_000);

  it("passes through the forward it opens to the Service's ready pod", async () => {
    const before = server.received.length;

    const run = await check(["smoke", ...target("payment-service-green"), "--expect-version", "v3.2.0", "--deadline", "20"]);

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`port-forward: http://127\\.0\\.0\\.1:\\d+ -> pod ${namespace}/payment-service-green-[a-z0-9-]+ port 8080 \\(svc/payment-service-green\\)`));
    expect(run.stdout).toContain("smoke: PASS");
    expect(server.received.slice(before).map((r) => r.path)).toEqual(expect.arrayContaining(["/health", "/version"]));
  }, 60_000);

  it("fails naming the version when the pod behind the forward plays another", async () => {
    const run = await check(["smoke", ...target("payment-service-green"), "--expect-version", "v3.3.0", "--deadline", "3"]);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain("FAIL version");
    expect(run.stdout).toContain("reports version 'v3.2.0', expected 'v3.3.0'");
    expect(run.stdout).toContain("smoke: FAIL: version");
  }, 60_000);

  it("fails within the setup's bound, saying no ready pod is behind a Service with none", async () => {
    const run = await check(["smoke", ...target("payment-service-idle"), "--expect-version", "v3.2.0", "--port-forward-timeout", "5"]);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`FAIL port-forward: FORWARD ${namespace}/svc/payment-service-idle:80 -> no response`);
    expect(run.stdout).toContain(`no ready pod behind Service ${namespace}/payment-service-idle`);
    expect(run.stdout).toContain("smoke: FAIL: port-forward");
    expectWithinBound(run.ms, 5000, { besidesMs: NODE_START_MS });
  }, 60_000);

  it("verifies through the forward, round after round", async () => {
    const run = await check(["verify", ...target("payment-service-green"), "--expect-version", "v3.2.0", "--every", "0.5", "--for", "1.5"]);

    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/round 1: ok[\s\S]*round 3: ok/);
    expect(run.stdout).toContain("verify: PASS: 0 of 3 rounds failed");
    expect(run.code).toBe(0);
  }, 60_000);

  it("fails in the setup, saying the forward failed, when the pod's port cannot be reached", async () => {
    // Service port 81 targets container port 9090, which kwok forwards nowhere.
    const run = await check(["smoke", "--port-forward", "svc/payment-service-green:81", "--namespace", namespace, "--kubeconfig", cluster.kubeconfigPath, "--expect-version", "v3.2.0", "--port-forward-timeout", "5"]);

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`the port-forward to pod ${namespace}/payment-service-green-[a-z0-9-]+ port 9090 failed: error forwarding port 9090`));
    expect(run.stdout).toContain("smoke: FAIL: port-forward");
    expect(run.stdout).not.toContain("attempt 1:"); // no check ran against a dead forward
  }, 60_000);

  it("refuses --url with --port-forward as a usage error", async () => {
    const run = await check(["smoke", "--url", server.url, ...target("payment-service-green"), "--expect-version", "v3.2.0"]);

    expect(run.code).toBe(64);
    expect(run.stderr).toContain("--url and --port-forward are exclusive");
  });
});
