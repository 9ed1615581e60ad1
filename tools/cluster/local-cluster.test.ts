// The local cluster the end-to-end tier runs on: it starts in seconds and
// does what the tier relies on. Needs the toolchain from
// tools/toolchain/ensure.sh; without it the suite is skipped, loudly.
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterReady } from "../toolchain/gate";
import {
  checkDeploymentAvailable,
  checkJobCompletes,
  checkLabelledJobFails,
  checkWeightedHttpRoute,
  createCheckNamespace,
} from "./checks";
import type { KubeConfig } from "./kube-client";
import { kubeClient, loadKubeConfig } from "./kube-client";
import type { LocalCluster } from "./local-cluster";
import { startLocalCluster } from "./local-cluster";
import { nodesNotReady } from "./nodes";
import { isRunning } from "./processes";

describe.skipIf(!clusterReady("the local cluster tests"))("local cluster", () => {
  let cluster: LocalCluster;
  let kc: KubeConfig;
  let namespace: string;

  beforeAll(async () => {
    cluster = await startLocalCluster();
    kc = await loadKubeConfig(cluster.kubeconfigPath);
    namespace = await createCheckNamespace(kc, "local-cluster-test");
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop(); // idempotent; the last test has stopped it already when all went well
  }, 30_000);

  it("starts in seconds with three Ready simulated nodes and the Gateway API", async () => {
    expect(cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(cluster.timings.readyMs).toBeLessThan(30_000);
    const k8s = await kubeClient();
    const nodes = await kc.makeApiClient(k8s.CoreV1Api).listNode();
    const names = nodes.items.map((n) => n.metadata?.name ?? "");
    expect(names).toHaveLength(3);
    expect(await nodesNotReady(kc, names)).toBeUndefined();
    expect(nodes.items[0]?.status?.capacity).toMatchObject({ cpu: "32", memory: "256Gi", pods: "110" });
    const crds = await kc.makeApiClient(k8s.ApiextensionsV1Api).listCustomResourceDefinition();
    expect(crds.items.map((c) => c.metadata?.name)).toContain("httproutes.gateway.networking.k8s.io");
  });

  it("makes a 3-replica Deployment available", async () => {
    const result = await checkDeploymentAvailable(kc, namespace, 3);
    expect(result.ms).toBeLessThan(20_000);
  }, 30_000);

  it("completes a Job", async () => {
    await checkJobCompletes(kc, namespace);
  }, 30_000);

  it("fails a Job whose pods carry safe-deploy.dev/fail: \"true\"", async () => {
    await checkLabelledJobFails(kc, namespace);
  }, 30_000);

  it("accepts an HTTPRoute splitting 80/20", async () => {
    await checkWeightedHttpRoute(kc, namespace);
  });

  it("stops every process it started and removes its directory", async () => {
    await cluster.stop();
    expect(cluster.components.filter(isRunning)).toEqual([]);
    expect(fs.existsSync(cluster.dir)).toBe(false);
  }, 30_000);
});
