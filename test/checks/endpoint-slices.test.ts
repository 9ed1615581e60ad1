// The EndpointSlice check's time bound and failures, against a loopback server standing in for an
// API server that hangs or refuses: no cluster needed (the cluster test is beside this file).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkEndpoints } from "../../checks/endpoint-slices";
import { loadKubeConfig } from "../../lib/kubeconfig";
import { useLoopbackServers, type Handler } from "./loopback-server";
import { expectWithinBound } from "../support/time-bound";

const dir = mkdtempSync(join(tmpdir(), "safe-deploy-endpoints-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const serve = useLoopbackServers();

async function apiServer(handler: Handler): Promise<string> {
  const server = await serve(handler);
  const kubeconfig = join(dir, `kubeconfig-${server.port}`);
  writeFileSync(
    kubeconfig,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters: [{name: c, cluster: {server: '" + server.url + "', insecure-skip-tls-verify: true}}]",
      "users: [{name: u, user: {token: t}}]",
      "contexts: [{name: x, context: {cluster: c, user: u}}]",
      "current-context: x",
    ].join("\n"),
  );
  return kubeconfig;
}

const expectation = { namespace: "production", service: "payment-service", podLabels: { version: "green" } };

describe("the EndpointSlice check", () => {
  it("fails within its bound when the API server never answers", async () => {
    const kc = await loadKubeConfig(await apiServer(() => ({ status: 200, hang: true })));
    const started = performance.now();

    const result = await checkEndpoints(kc, { ...expectation, timeoutMs: 300 });

    expect(result).toMatchObject({ check: "endpoints", ok: false, why: "no answer from the Kubernetes API within 300 ms", status: undefined });
    expectWithinBound(performance.now() - started, 300, { waitedForIt: true });
  });

  it("fails with the API's status when it refuses", async () => {
    const kc = await loadKubeConfig(await apiServer(() => ({ status: 403, body: { kind: "Status", code: 403, reason: "Forbidden" } })));

    const result = await checkEndpoints(kc, { ...expectation, timeoutMs: 5000 });

    expect(result).toMatchObject({ ok: false, why: "the Kubernetes API answered 403", status: 403 });
  });

  it("asks for the Service's EndpointSlices by its label", async () => {
    let asked = "";
    const kc = await loadKubeConfig(
      await apiServer((request) => {
        asked ||= request.path;
        return { status: 200, body: { apiVersion: "v1", kind: "List", items: [] } };
      }),
    );

    const result = await checkEndpoints(kc, { ...expectation, timeoutMs: 5000 });

    expect(asked).toBe("/apis/discovery.k8s.io/v1/namespaces/production/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dpayment-service");
    expect(result).toMatchObject({ ok: false, why: "Service 'payment-service' has no ready endpoints: it serves nothing" });
  });
});
