// staging-first over the shapes of the staging stack's `services` output
// (program.ts StackOutputs, lib/service-report.ts): which versions each
// strategy serves, the migration, and how staging's last update ended.
import { describe, expect, it } from "vitest";
import { decideStagingFirst, type StagingState } from "../../checklist/sources/staging";

const STACK = "organization/safe-deploy/staging";
const succeeded = { result: "succeeded" as const, endedAt: "2026-11-26T08:00:00Z" };

const rolling = (version: string) => ({ name: "user-api", strategy: "rolling", live: { strategy: "rolling", version, replicas: 5 }, rollbackTarget: "v2.3.1", rollback: null, migration: null });
const blueGreen = (live: string, standby: string, migration: string | null) => ({
  name: "payment-service",
  strategy: "blue-green",
  live: { strategy: "blue-green", slot: "green", version: live, replicas: 2, standby: { slot: "blue", version: standby, replicas: 2 } },
  rollbackTarget: `slot blue (${standby})`,
  rollback: null,
  migration: migration === null ? null : { job: `payment-service-migration-${migration}`, version: migration, kind: "expand" },
});
const canary = (stable: string, canaryVersion: string | null, weight: number) => ({
  name: "recommendation-engine",
  strategy: "canary",
  live: { strategy: "canary", stable: { version: stable, weight: 100 - weight, replicas: 8 }, canary: { version: canaryVersion, weight, requestedWeight: weight, replicas: 2 }, exactWeights: false },
  rollbackTarget: stable,
  rollback: null,
  migration: null,
});

/** `null`: the reader could not tell how staging's last update ended. */
const state = (services: unknown, lastUpdate: StagingState["lastUpdate"] | null = succeeded): StagingState => (lastUpdate === null ? { stack: STACK, services } : { stack: STACK, services, lastUpdate });

describe("staging-first", () => {
  it.each([
    ["rolling, same version", { name: "user-api", version: "v2.4.0" }, state({ "user-api": rolling("v2.4.0") }), "pass", "staging runs user-api v2.4.0; its last update succeeded at 2026-11-26T08:00:00Z"],
    ["rolling, another version", { name: "user-api", version: "v2.4.0" }, state({ "user-api": rolling("v2.3.1") }), "fail", "staging runs user-api v2.3.1; production asks for v2.4.0"],
    ["blue-green, live slot runs it, migration ran", { name: "payment-service", version: "v3.2.0", migrationVersion: "v3.2.0" }, state({ "payment-service": blueGreen("v3.2.0", "v3.1.0", "v3.2.0") }), "pass", "staging runs payment-service v3.2.0 (live slot green), after its migration payment-service-migration-v3.2.0"],
    ["blue-green, only the standby runs it", { name: "payment-service", version: "v3.2.0" }, state({ "payment-service": blueGreen("v3.1.0", "v3.2.0", null) }), "fail", "staging runs payment-service v3.1.0 (live slot green); production asks for v3.2.0"],
    ["blue-green, migration for another version", { name: "payment-service", version: "v3.2.0", migrationVersion: "v3.2.0" }, state({ "payment-service": blueGreen("v3.2.0", "v3.1.0", "v3.1.0") }), "fail", "production runs payment-service's migration for v3.2.0, but staging last ran the migration for v3.1.0 (payment-service-migration-v3.1.0)"],
    ["blue-green, no migration in staging", { name: "payment-service", version: "v3.2.0", migrationVersion: "v3.2.0" }, state({ "payment-service": blueGreen("v3.2.0", "v3.1.0", null) }), "fail", "but staging declares no migration"],
    ["canary taking traffic", { name: "recommendation-engine", version: "v4.1.0" }, state({ "recommendation-engine": canary("v4.0.3", "v4.1.0", 20) }), "pass", "staging runs recommendation-engine v4.0.3 (stable) and v4.1.0 (canary, 20%)"],
    ["canary at weight 0 serves nothing", { name: "recommendation-engine", version: "v4.1.0" }, state({ "recommendation-engine": canary("v4.0.3", "v4.1.0", 0) }), "fail", "staging runs recommendation-engine v4.0.3 (stable); production asks for v4.1.0"],
    ["canary promoted", { name: "recommendation-engine", version: "v4.1.0" }, state({ "recommendation-engine": canary("v4.1.0", null, 0) }), "pass", "v4.1.0 (stable)"],
    ["a service staging lacks", { name: "cart", version: "v1.0.0" }, state({ "user-api": rolling("v2.4.0") }), "fail", "staging does not run cart; production asks for v1.0.0"],
    ["a staging stack never deployed", { name: "user-api", version: "v2.4.0" }, state(undefined), "fail", `staging stack ${STACK} has no services output`],
    ["an output of another shape", { name: "user-api", version: "v2.4.0" }, state({ "user-api": { version: "v2.4.0" } }), "unknown", "staging's output for user-api is not in the shape this version of safe-deploy reads"],
    ["the right version, last update failed", { name: "user-api", version: "v2.4.0" }, state({ "user-api": rolling("v2.4.0") }, { result: "failed" }), "fail", "staging runs user-api v2.4.0, but its last update failed"],
    ["the right version, an update running", { name: "user-api", version: "v2.4.0" }, state({ "user-api": rolling("v2.4.0") }, { result: "in-progress" }), "unknown", "but an update of staging is still running"],
    ["the right version, how the update ended not known", { name: "user-api", version: "v2.4.0" }, state({ "user-api": rolling("v2.4.0") }, null), "unknown", "but whether its last update succeeded is not known"],
  ])("%s", (_what, service, staging, status, reason) => {
    const result = decideStagingFirst(service, staging);
    expect(result.status).toBe(status);
    expect(result.reason).toContain(reason);
    expect(result.source).toBe(`staging stack ${STACK} (outputs)`);
  });

  it("tells a rolling service's operator the exact commands that deploy staging", () => {
    const result = decideStagingFirst({ name: "user-api", version: "v2.4.0" }, state({ "user-api": rolling("v2.3.1") }));
    expect(result.fix).toBe(`pulumi config set --path services.user-api.version v2.4.0 --stack ${STACK} && pulumi up --stack ${STACK} --policy-pack policy --policy-pack-config policy/config/staging.json`);
  });
});
