// The PreDeploymentChecks step's decisions: which services an update changes,
// what the update's checklist is (fresh for what changes, recorded for the
// rest), what the DeploymentRecord holds; and the program wiring them under
// mocks, with a gather that records what it was asked for.
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { planChecks, serviceFingerprint, updateChecklist, type CurrentService } from "../../checklist/changed-services";
import type { GatheredChecklist } from "../../checklist/item";
import { recordedChecklistOf, type RecordedChecklist } from "../../checklist/recorded-checklist";
import { recordData } from "../../components/deployment-record";
import { servedVersions, updateThrough } from "../../lib/served";
import { gatherWith, GATHERED_AT } from "../support/checklist-fixtures";
import { k8sObject } from "../support/pulumi-mocks";
import { runProgram } from "../support/run-program";

const CONTEXT = { environment: "production", namespace: "production" };
const service = (name: string, version: string) => ({ name, strategy: "rolling", image: `registry.example.com/shop/${name}`, version, replicas: 5 });
const current = (name: string, version: string, previousVersion: string | null = null): CurrentService => ({
  name,
  version,
  previousVersion,
  fingerprint: serviceFingerprint(service(name, version), CONTEXT),
});

function recorded(...services: CurrentService[]): RecordedChecklist {
  const items = { "staging-first": { status: "pass" as const, reason: "staging runs it", source: "stack organization/safe-deploy/staging" } };
  return {
    release: { kind: "release", gatheredAt: "2026-11-20T10:00:00.000Z", commit: "abc", tag: "v1", deployedBy: "bob", items: { "ci-passed": { status: "pass", reason: "green", source: "GitHub" } } },
    services: Object.fromEntries(services.map((s) => [s.name, { fingerprint: s.fingerprint, version: s.version, previousVersion: s.previousVersion, gatheredAt: "2026-11-20T10:00:00.000Z", items }])),
  };
}

function gathered(names: string[], status: "pass" | "fail" = "fail"): GatheredChecklist {
  return {
    gatheredAt: GATHERED_AT,
    facts: { commit: "def", deployedBy: "alice" },
    release: [{ item: "ci-passed", status, reason: "check run failed", source: "GitHub", fix: "fix the build" }],
    services: Object.fromEntries(names.map((name) => [name, [{ item: "staging-first", status, reason: "staging runs v1", source: "staging", fix: "deploy staging" }]])),
  };
}

describe("service fingerprints", () => {
  it("are equal for equal config whatever the key order, and differ on any change, or on another namespace", () => {
    const a = serviceFingerprint({ version: "v1", replicas: 2, image: "x" }, CONTEXT);
    expect(serviceFingerprint({ image: "x", replicas: 2, version: "v1" }, CONTEXT)).toBe(a);
    expect(serviceFingerprint({ version: "v1", replicas: 3, image: "x" }, CONTEXT)).not.toBe(a);
    expect(serviceFingerprint({ version: "v1", replicas: 2, image: "x" }, { ...CONTEXT, namespace: "prod-2" })).not.toBe(a);
  });
});

describe("which services an update changes", () => {
  it.each([
    ["the first update: every service, and the release", undefined, [current("user-api", "v2"), current("payment-service", "v3")], ["user-api", "payment-service"], [], true],
    ["nothing changed: no gathering at all", recorded(current("user-api", "v2")), [current("user-api", "v2")], [], [], false],
    ["one of two changed: that one", recorded(current("user-api", "v1"), current("payment-service", "v3")), [current("user-api", "v2"), current("payment-service", "v3")], ["user-api"], [], true],
    ["a new service: that one", recorded(current("user-api", "v2")), [current("user-api", "v2"), current("payment-service", "v3")], ["payment-service"], [], true],
    ["a service removed: the release, no service", recorded(current("user-api", "v2"), current("payment-service", "v3")), [current("user-api", "v2")], [], ["payment-service"], true],
  ] as const)("%s", (_case, record, services, changed, removed, gather) => {
    expect(planChecks(services, record)).toEqual({ changed, removed, gather });
  });
});

describe("the update's checklist", () => {
  it("is the record itself when nothing changes, whatever the clock says now", () => {
    const record = recorded(current("user-api", "v2"));
    expect(updateChecklist([current("user-api", "v2")], record, undefined, {})).toEqual(record);
  });

  it("takes fresh results for what changed and keeps the recorded ones for the rest", () => {
    const record = recorded(current("user-api", "v1"), current("payment-service", "v3"));
    const checklist = updateChecklist([current("user-api", "v2"), current("payment-service", "v3")], record, gathered(["user-api"]), {});
    expect(checklist.release).toEqual({
      kind: "release",
      gatheredAt: GATHERED_AT,
      commit: "def",
      tag: null,
      deployedBy: "alice",
      items: { "ci-passed": { status: "fail", reason: "check run failed", source: "GitHub", fix: "fix the build" } },
    });
    expect(checklist.services["user-api"]).toMatchObject({ version: "v2", gatheredAt: GATHERED_AT, items: { "staging-first": { status: "fail", reason: "staging runs v1" } } });
    expect(checklist.services["payment-service"]).toBe(record.services["payment-service"]);
  });

  it("records a stack config waiver beside an item that did not pass, and none beside one that passed", () => {
    const waivers = { "ci-passed": { by: "alice", reason: "CI is down, INC-4711" }, "staging-first": { by: "alice", reason: "hotfix, INC-4711" } };
    const failing = updateChecklist([current("user-api", "v2")], undefined, gathered(["user-api"]), waivers);
    expect(failing.release.items["ci-passed"]?.waived).toEqual({ by: "alice", reason: "CI is down, INC-4711" });
    expect(failing.services["user-api"]?.items["staging-first"]?.waived).toEqual({ by: "alice", reason: "hotfix, INC-4711" });
    const passing = updateChecklist([current("user-api", "v2")], undefined, gathered(["user-api"], "pass"), waivers);
    expect(passing.release.items["ci-passed"]?.waived).toBeUndefined();
  });

  it.each([
    ["back to the version the last release replaced: a rollback", current("user-api", "v1", "v2"), "rollback", "v2"],
    ["forward to a new version: a release", current("user-api", "v3", "v2"), "release", undefined],
    ["to a version that is not the recorded previous one: a release", current("user-api", "v0", "v2"), "release", undefined],
  ] as const)("takes a change %s", (_case, now, kind, from) => {
    const record = recorded(current("user-api", "v2", "v1"));
    const checklist = updateChecklist([now], record, gathered(["user-api"]), {});
    expect(checklist.release.kind).toBe(kind);
    expect(checklist.services["user-api"]?.rollbackOf).toBe(from);
  });

  it("takes an update as a rollback only when every service it changes goes back", () => {
    const record = recorded(current("user-api", "v2", "v1"), current("payment-service", "v3", null));
    const checklist = updateChecklist([current("user-api", "v1", "v2"), current("payment-service", "v4", "v3")], record, gathered(["user-api", "payment-service"]), {});
    expect(checklist.release.kind).toBe("release");
  });

  it("reads back what it recorded, and takes anything else as no record", () => {
    const record = recorded(current("user-api", "v2"));
    expect(recordedChecklistOf(JSON.parse(JSON.stringify(record)))).toEqual(record);
    expect(recordedChecklistOf(undefined)).toBeUndefined();
    expect(recordedChecklistOf({ release: {}, services: {} })).toBeUndefined();
  });
});

describe("the DeploymentRecord's data", () => {
  const data = recordData({
    stack: "production",
    environment: "production",
    checklist: recorded(current("user-api", "v2")),
    services: [{ name: "user-api", strategy: "rolling", version: "v2", previousVersion: "v1", rollback: { target: "v1", quick: "kubectl set image ...", pulumi: "pulumi up ...", verify: "kubectl get ...", expect: "v1" } }],
  });

  it("holds the stack, environment, commit, tag, who, and per service its versions, rollback commands and items", () => {
    expect(data).toMatchObject({ stack: "production", environment: "production", "release-kind": "release", commit: "abc", tag: "v1", "deployed-by": "bob", "gathered-at": "2026-11-20T10:00:00.000Z" });
    expect(JSON.parse(data["checklist.release"]!)).toEqual({ "ci-passed": { status: "pass", reason: "green", source: "GitHub" } });
    expect(JSON.parse(data["service.user-api"]!)).toEqual({
      strategy: "rolling",
      version: "v2",
      previousVersion: "v1",
      rollbackOf: null,
      rollback: { quick: "kubectl set image ...", pulumi: "pulumi up ...", verify: "kubectl get ..." },
      gatheredAt: "2026-11-20T10:00:00.000Z",
      checklist: { "staging-first": { status: "pass", reason: "staging runs it", source: "stack organization/safe-deploy/staging" } },
    });
  });

  it("uses only keys a ConfigMap takes", () => {
    for (const key of Object.keys(data)) expect(key).toMatch(/^[-._a-zA-Z0-9]+$/);
  });
});

describe("whether staging's last update got through", () => {
  const live = { strategy: "rolling", version: "v2.4.0", replicas: 5 };
  it.each([
    ["the version live is served", { "user-api": { versions: ["v2.4.0"], migration: null } }, "succeeded"],
    ["another version is served", { "user-api": { versions: ["v2.3.1"], migration: null } }, "failed"],
    ["the migration did not complete", { "user-api": { versions: ["v2.4.0"], migration: { job: "m-v2.4.0", version: "v2.4.0", completed: false } } }, "failed"],
  ])("%s: %s", (_case, served, result) => {
    expect(updateThrough({ services: { "user-api": { live } }, served })?.result).toBe(result);
  });

  it("cannot be told from outputs without `served`", () => {
    expect(updateThrough({ services: { "user-api": { live } } })).toBeUndefined();
  });
});

describe("the program's PreDeploymentChecks step", () => {
  it("gathers every service on the first update and records the results on the ConfigMap safe-deploy-record and in the outputs", async () => {
    // A preview: the update pass would refuse the failing item before recording anything (release-gate.test.ts).
    const gather = gatherWith(["ci-passed"]);
    const { run, outputs } = await runProgram("production", undefined, { program: { gather }, preview: true });
    expect(gather.calls).toEqual([["user-api", "payment-service", "recommendation-engine"]]);
    const record = k8sObject(run, "kubernetes:core/v1:ConfigMap", "safe-deploy-record");
    expect(record.metadata.namespace).toBe("production");
    expect(JSON.parse(record.data["checklist.release"])["ci-passed"]).toEqual({ status: "fail", reason: "ci-passed does not hold", source: "test source of ci-passed", fix: "make ci-passed hold" });
    expect(outputs.checklist.release.items["ci-passed"]?.status).toBe("fail");
    expect(Object.keys(outputs.checklist.services)).toEqual(["user-api", "payment-service", "recommendation-engine"]);
  });

  it("gathers nothing when no service changed, and writes the same record as the last update", async () => {
    const first = await runProgram("production", undefined, { program: { gather: gatherWith() } });
    const firstRecord = k8sObject(first.run, "kubernetes:core/v1:ConfigMap", "safe-deploy-record");
    const gather = gatherWith(["ci-passed", "deployment-window"], "2026-11-28T23:00:00.000Z");
    const again = await runProgram("production", undefined, { program: { gather }, referencedOutputs: { checklist: first.outputs.checklist } });
    expect(gather.calls).toEqual([]);
    expect(k8sObject(again.run, "kubernetes:core/v1:ConfigMap", "safe-deploy-record").data).toEqual(firstRecord.data);
  });

  it("gathers only the service whose config changed", async () => {
    const first = await runProgram("production", undefined, { program: { gather: gatherWith() } });
    const gather = gatherWith();
    await runProgram("production", (raw) => (raw.services["user-api"]!.replicas = 6), { program: { gather }, referencedOutputs: { checklist: first.outputs.checklist } });
    expect(gather.calls).toEqual([["user-api"]]);
  });
});

describe("the served output", () => {
  it("serves every Deployment whose step succeeded, whatever its own status counts say, as the real provider returns it behind the rollout", async () => {
    // Under mocks a Deployment's outputs carry no status at all: the extreme of the real provider's
    // lag (4 replicas, 3 available). A successful step is the provider's guarantee; the counts are not.
    const { outputs } = await runProgram("staging");
    const served = await new Promise<Record<string, { versions: readonly string[] }>>((resolve) => pulumi.output(outputs.served).apply((value) => resolve(value as Record<string, { versions: readonly string[] }>)));

    expect(Object.fromEntries(Object.entries(served).map(([name, s]) => [name, s.versions]))).toEqual({
      "user-api": ["v2.4.0"],
      "payment-service": expect.arrayContaining(["v3.1.0", "v3.2.0"]),
      "recommendation-engine": expect.arrayContaining(["v4.0.3", "v4.1.0"]),
    });
  });

  it.each([
    ["a version with pods", [{ version: "v2", replicas: 3 }], ["v2"]],
    ["a retired standby (0 pods) serves nothing", [{ version: "v2", replicas: 3 }, { version: "v1", replicas: 0 }], ["v2"]],
    ["two tracks on one version, once", [{ version: "v2", replicas: 8 }, { version: "v2", replicas: 2 }], ["v2"]],
  ])("%s", (_case, deployments, versions) => {
    expect(servedVersions(deployments)).toEqual(versions);
  });
});
