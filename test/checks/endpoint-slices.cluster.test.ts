// `verify`'s EndpointSlice check against the local cluster: a Service whose selector still takes
// the blue pods fails it, the same Service switched to green passes it. Needs the toolchain from
// tools/toolchain/ensure.sh; without it the suite is skipped, loudly.
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkEndpoints } from "../../checks/endpoint-slices";
import { createCheckNamespace } from "../../tools/cluster/checks";
import { kubeClient, loadKubeConfig, type KubeConfig } from "../../tools/cluster/kube-client";
import { startLocalCluster, type LocalCluster } from "../../tools/cluster/local-cluster";
import { waitFor } from "../../tools/cluster/wait";
import { clusterReady } from "../../tools/toolchain/gate";
import { healthyService, startServer, type LoopbackServer } from "./loopback-server";

const BIN = resolve(__dirname, "../../checks/bin/safe-deploy-check.cjs");
const IMAGE = "registry.invalid/payment-service:never-pulled"; // kwok runs no containers

describe.skipIf(!clusterReady("the EndpointSlice check tests"))("verify's EndpointSlice check", () => {
  let cluster: LocalCluster;
  let kc: KubeConfig;
  let namespace: string;
  let server: LoopbackServer;

  /** The addresses of the ready endpoints in the Service's EndpointSlices, once there are `count`. */
  async function readyEndpoints(count: number): Promise<string[]> {
    const k8s = await kubeClient();
    const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
    return waitFor(`${count} ready endpoints of Service ${namespace}/payment-service`, async () => {
      const slices = await discovery.listNamespacedEndpointSlice({ namespace, labelSelector: "kubernetes.io/service-name=payment-service" });
      const ready = slices.items.flatMap((slice) => (slice.endpoints ?? []).filter((e) => e.conditions?.ready !== false).map((e) => e.addresses[0] ?? ""));
      return ready.length === count ? ready : undefined;
    }, { timeoutMs: 30_000 });
  }

  beforeAll(async () => {
    cluster = await startLocalCluster();
    kc = await loadKubeConfig(cluster.kubeconfigPath);
    namespace = await createCheckNamespace(kc, "endpoints-check");
    const k8s = await kubeClient();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    for (const [name, version] of [["payment-service-blue-a", "blue"], ["payment-service-green-a", "green"], ["payment-service-green-b", "green"]] as const) {
      await core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name, labels: { app: "payment-service", version } },
          spec: { containers: [{ name: "payment-service", image: IMAGE, ports: [{ containerPort: 8080 }] }] },
        },
      });
    }
    // Mid-switch: the selector takes every version, as a Service would whose selector never moved.
    await core.createNamespacedService({
      namespace,
      body: { metadata: { name: "payment-service" }, spec: { selector: { app: "payment-service" }, ports: [{ port: 80, targetPort: 8080 }] } },
    });
    await readyEndpoints(3);
    server = await startServer(healthyService("v3.2.0"));
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await cluster?.stop();
  }, 30_000);

  it("fails while the Service still sends traffic to a blue pod, naming it", async () => {
    const result = await checkEndpoints(kc, { namespace, service: "payment-service", podLabels: { version: "green" }, timeoutMs: 5000 });

    expect(result).toMatchObject({ check: "endpoints", ok: false, status: 200 });
    expect(result.why).toMatch(/^1 of 3 ready endpoints are not version=green: endpoint [\d.]+ is pod payment-service-blue-a \(version=blue\), not version=green$/);
    expect(result.bodyStart).toMatch(/\b[\d.]+ payment-service-blue-a version=blue\b/);
    expect(result.bodyStart).toMatch(/\b[\d.]+ payment-service-green-a version=green\b/);
  });

  it("passes once the Service's selector has moved to green, and verify exits 0 on it", async () => {
    const k8s = await kubeClient();
    await kc.makeApiClient(k8s.CoreV1Api).patchNamespacedService(
      { namespace, name: "payment-service", body: [{ op: "replace", path: "/spec/selector", value: { app: "payment-service", version: "green" } }] },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.JsonPatch),
    );
    await readyEndpoints(2);

    const result = await checkEndpoints(kc, { namespace, service: "payment-service", podLabels: { version: "green" }, timeoutMs: 5000 });
    expect(result).toMatchObject({ ok: true, why: "" });

    const run = await new Promise<{ code: number | null; stdout: string }>((done) => {
      const args = [BIN, "verify", "--url", server.url, "--expect-version", "v3.2.0", "--every", "0.05", "--for", "0.1"];
      args.push("--service", "payment-service", "--namespace", namespace, "--expect-pods", "version=green", "--kubeconfig", cluster.kubeconfigPath);
      execFile(process.execPath, args, { timeout: 30_000 }, (error, stdout) => done({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout }));
    });
    expect(run.stdout).toMatch(/^verify: PASS: 0 of 2 rounds failed/m);
    expect(run.code).toBe(0);
  });

  it("fails verify when the Service serves a version it should not", async () => {
    const run = await new Promise<{ code: number | null; stdout: string }>((done) => {
      const args = [BIN, "verify", "--url", server.url, "--expect-version", "v3.2.0", "--every", "0.05", "--for", "0.1"];
      args.push("--service", "payment-service", "--namespace", namespace, "--expect-pods", "version=blue", "--kubeconfig", cluster.kubeconfigPath, "--settle", "1");
      execFile(process.execPath, args, { timeout: 30_000 }, (error, stdout) => done({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout }));
    });

    expect(run.code).toBe(1);
    // The first round waited --settle (1 s) for the slices to move before it failed.
    expect(run.stdout).toMatch(/^verify: FAIL: endpoints in round 1; 1 of 1 rounds failed \(budget 0; 2 planned; (1\d{3}|[2-9]\d{3}) ms\)$/m);
    expect(run.stdout).toContain("2 of 2 ready endpoints are not version=blue");
  });
});
