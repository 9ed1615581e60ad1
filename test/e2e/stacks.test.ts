// The shipped stacks, staging then production, through the real engine
// against the local cluster, read back through the Kubernetes API.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apis, changes, deploymentsSettled, endpointPods, engineFor, stackOutputs, startE2e, stopE2e, toolchain, UP_TIMEOUT_MS, type E2eContext } from "./support";

const EXPECTED_DEPLOYMENTS = {
  "user-api": "5/5 available, 5 updated",
  "payment-service-blue": "4/4 available, 4 updated",
  "payment-service-green": "4/4 available, 4 updated",
  "recommendation-engine": "8/8 available, 8 updated",
  "recommendation-engine-canary": "2/2 available, 2 updated",
};

/** `start <urn>` when the engine begins a step, `done <urn>` when its outputs are in. */
function stepLog(events: EngineEvent[]): string[] {
  return events.flatMap((event) => {
    if (event.resourcePreEvent !== undefined) return [`start ${event.resourcePreEvent.metadata.urn}`];
    if (event.resOutputsEvent !== undefined) return [`done ${event.resOutputsEvent.metadata.urn}`];
    return [];
  });
}

describe.skipIf(!toolchain.ok)("the shipped stacks on a real engine and cluster", () => {
  let context: E2eContext | undefined;
  beforeAll(async () => {
    context = await startE2e("stacks");
  }, 90_000);
  afterAll(() => stopE2e(context), 60_000);

  it.each(["staging", "production"])(
    "deploys %s: every Deployment at its replicas, the migration done before the green slot starts",
    async (stack) => {
      const ctx = context!;
      const engine = await engineFor(ctx, stack);
      const events: EngineEvent[] = [];

      const result = await engine.stack.up({ color: "never", onEvent: (event) => events.push(event) });

      expect(result.summary.result).toBe("succeeded");
      const namespace = stack;
      expect(await deploymentsSettled(ctx.kc, namespace)).toEqual(EXPECTED_DEPLOYMENTS);
      const log = stepLog(events);
      const jobDone = log.findIndex((line) => line.startsWith("done ") && line.includes("MigrationJob$kubernetes:batch/v1:Job::payment-service-migration-job"));
      const greenStart = log.findIndex((line) => line.startsWith("start ") && line.endsWith("kubernetes:apps/v1:Deployment::payment-service-green-deployment"));
      expect(jobDone, log.join("\n")).toBeGreaterThanOrEqual(0);
      expect(greenStart).toBeGreaterThan(jobDone);
      const job = await (await apis(ctx.kc)).batch.readNamespacedJob({ name: "payment-migration-v3.2.0", namespace });
      expect(job.status?.succeeded).toBe(1);
      expect((await endpointPods(ctx.kc, namespace, "payment-service")).every((pod) => pod.startsWith("payment-service-green-"))).toBe(true);
      expect(await endpointPods(ctx.kc, namespace, "payment-service")).toHaveLength(4);

      // The outputs as the engine stored them round-trip through their contract (lib/stack-outputs.ts):
      // every field parses, none is dropped, and `served` says what the objects serve.
      const stored = Object.fromEntries(Object.entries(await engine.stack.outputs()).map(([key, output]) => [key, output.value]));
      const outputs = await stackOutputs(engine);
      expect(outputs).toEqual(stored);
      expect(outputs.served).toEqual({
        "user-api": { versions: ["v2.4.0"], migration: null },
        "payment-service": { versions: ["v3.1.0", "v3.2.0"], migration: { job: "payment-migration-v3.2.0", version: "v3.2.0", completed: true } },
        "recommendation-engine": { versions: ["v4.0.3", "v4.1.0"], migration: null },
      });
      expect(outputs.services["recommendation-engine"]?.live).toEqual({
        strategy: "canary",
        stable: { version: "v4.0.3", weight: 80, replicas: 8 },
        canary: { version: "v4.1.0", weight: 20, requestedWeight: 20, replicas: 2 },
        exactWeights: false,
      });

      // A second update changes nothing, and a preview agrees.
      const again = await engine.stack.up({ color: "never" });
      expect(changes(again.summary.resourceChanges)).toEqual({});
      const preview = await engine.stack.preview({ color: "never" });
      expect(changes(preview.changeSummary)).toEqual({});
    },
    UP_TIMEOUT_MS * 3,
  );
});
