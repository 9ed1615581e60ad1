// What goes wrong: a migration that fails, an update interrupted half-way, a
// cluster that does not answer. Each must leave production serving and say why.
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { EngineStack } from "../../tools/rehearsal/engine";
import { apis, changes, deploymentsSettled, endpointPods, engineFor, onlyServices, startE2e, stopE2e, toolchain, UP_TIMEOUT_MS, type E2eContext } from "./support";

const NS = "production";
/** Pods with this label fail (a kwok stage of tools/cluster). */
const FAIL_LABEL = "safe-deploy.dev/fail";

async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

describe.skipIf(!toolchain.ok)("faults", () => {
  let context: E2eContext | undefined;
  beforeAll(async () => {
    context = await startE2e("faults");
  }, 90_000);
  afterAll(() => stopE2e(context), 60_000);

  it("a failing migration fails the update and leaves the old slot serving, the Service untouched", async () => {
    const ctx = context!;
    // Blue v3.1.0 live and alone; its migration succeeds.
    const engine: EngineStack = await engineFor(ctx, "production", {
      editStackFile: onlyServices("payment-service"),
      config: { "services.payment-service.liveSlot": "blue" },
    });
    await engine.stack.removeConfig("services.payment-service.greenVersion", true);
    expect((await engine.stack.up({ color: "never" })).summary.result).toBe("succeeded");
    const before = await (await apis(ctx.kc)).core.readNamespacedService({ name: "payment-service", namespace: NS });

    // The release: green v3.2.0 goes live after a migration that fails.
    await engine.stack.setConfig("services.payment-service.greenVersion", { value: "v3.2.0" }, true);
    await engine.stack.setConfig("services.payment-service.liveSlot", { value: "green" }, true);
    await engine.stack.setConfig("services.payment-service.migration.backoffLimit", { value: "0" }, true);
    await engine.stack.setConfig(`services.payment-service.migration.podLabels["${FAIL_LABEL}"]`, { value: "true" }, true);

    await expect(engine.stack.up({ color: "never" })).rejects.toThrow(/payment-migration-v3\.2\.0/);

    const after = await (await apis(ctx.kc)).core.readNamespacedService({ name: "payment-service", namespace: NS });
    expect(after.spec?.selector).toEqual({ app: "payment-service", version: "blue" });
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    const serving = await endpointPods(ctx.kc, NS, "payment-service");
    expect(serving).toHaveLength(4);
    expect(serving.every((pod) => pod.startsWith("payment-service-blue-"))).toBe(true);
    const deployments = await (await apis(ctx.kc)).apps.listNamespacedDeployment({ namespace: NS });
    expect(deployments.items.map((d) => d.metadata?.name)).toEqual(["payment-service-blue"]);
  }, UP_TIMEOUT_MS * 2);

  it("an update interrupted by SIGINT converges when run again, nothing lost or duplicated", async () => {
    const ctx = context!;
    const engine = await engineFor(ctx, "staging");
    const abort = new AbortController();
    let deploymentsStarted = 0;

    const interrupted = engine.stack.up({
      color: "never",
      signal: abort.signal,
      onEvent: (event) => {
        // SIGINT to the engine once the second Deployment is under way.
        if (event.resourcePreEvent?.metadata.type === "kubernetes:apps/v1:Deployment" && ++deploymentsStarted === 2) abort.abort();
      },
    });
    await expect(interrupted).rejects.toThrow();
    expect(deploymentsStarted).toBeGreaterThanOrEqual(2);

    const rerun = await engine.stack.up({ color: "never" });

    expect(rerun.summary.result).toBe("succeeded");
    expect(await deploymentsSettled(ctx.kc, "staging")).toEqual({
      "user-api": "5/5 available, 5 updated",
      "payment-service-blue": "4/4 available, 4 updated",
      "payment-service-green": "4/4 available, 4 updated",
      "recommendation-engine": "8/8 available, 8 updated",
      "recommendation-engine-canary": "2/2 available, 2 updated",
    });
    const jobs = await (await apis(ctx.kc)).batch.listNamespacedJob({ namespace: "staging" });
    expect(jobs.items.map((j) => j.metadata?.name)).toEqual(["payment-migration-v3.2.0"]);
    expect(changes((await engine.stack.preview({ color: "never" })).changeSummary)).toEqual({});
  }, UP_TIMEOUT_MS * 3);

  it("an unreachable cluster fails fast, naming the cluster", async () => {
    const ctx = context!;
    const port = await closedPort();
    const kubeconfig = parse(fs.readFileSync(ctx.cluster.kubeconfigPath, "utf8")) as { clusters: { cluster: { server: string } }[] };
    for (const entry of kubeconfig.clusters) entry.cluster.server = `https://127.0.0.1:${port}`;
    const unreachable = path.join(ctx.dir, "unreachable.kubeconfig");
    fs.writeFileSync(unreachable, stringify(kubeconfig));
    const engine = await engineFor(ctx, "production", { kubeconfigPath: unreachable });
    const started = Date.now();

    await expect(engine.stack.up({ color: "never" })).rejects.toThrow(new RegExp(`127\\.0\\.0\\.1:${port}`));

    expect(Date.now() - started).toBeLessThan(60_000);
  }, UP_TIMEOUT_MS);
});
