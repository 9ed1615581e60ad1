// Production's own gate (checklist/release-gate.ts): the program refuses what the production
// policy config makes mandatory before any resource is registered, with the pack's words, and
// agrees with the pack item for item. Under mocks; the end-to-end refusal through the real engine
// with no pack attached is in test/e2e/checklist.test.ts.
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it, vi } from "vitest";
import { checklistRefusalMessage, checklistRefusals, replicaRefusals } from "../../checklist/release-gate";
import type { RecordedChecklist, RecordedItem } from "../../checklist/recorded-checklist";
import { recordData } from "../../components/deployment-record";
import { CHECKLIST_DEFAULTS, MIN_REPLICAS_DEFAULT, policyRulesOf, readPolicyRules, type ChecklistRules } from "../../config/policy-rules";
import { parseStackConfig } from "../../config/load";
import { findings, findingsMessage, PRE_DEPLOYMENT_CHECKLIST_DEFAULTS } from "../../policy/policies/enforce-pre-deployment-checklist";
import { MINIMUM_REPLICAS_DEFAULTS } from "../../policy/policies/enforce-minimum-replicas";
import { program } from "../../program";
import { gatherWith } from "../support/checklist-fixtures";
import { startMockRun } from "../support/pulumi-mocks";
import { asAllConfig, CREDENTIAL_KEYS, editedRaw, type StackEdit } from "../support/run-program";

afterEach(() => vi.restoreAllMocks());

const pass: RecordedItem = { status: "pass", reason: "holds", source: "test" };
const failing = (reason: string): RecordedItem => ({ status: "fail", reason, source: "test source", fix: "make it hold" });
const unknown: RecordedItem = { status: "unknown", reason: "timed out after 5 s", source: "Alertmanager" };
const waived: RecordedItem = { ...failing("CI is down"), waived: { by: "alice", reason: "INC-4711: CI is down, tests ran locally" } };

function checklist(kind: "release" | "rollback", release: Record<string, RecordedItem>, userApi: Record<string, RecordedItem>): RecordedChecklist {
  return {
    release: { kind, gatheredAt: "2026-12-03T08:00:00.000Z", commit: "abc", tag: "v1", deployedBy: "ana", items: release },
    services: { "user-api": { fingerprint: "f", version: "v2", previousVersion: "v1", gatheredAt: "2026-12-03T08:00:00.000Z", items: userApi } },
  };
}

const RULES: ChecklistRules = { level: "mandatory", ...CHECKLIST_DEFAULTS };

const CASES: [string, RecordedChecklist, ChecklistRules][] = [
  ["every item passed", checklist("release", { "ci-passed": pass }, { "staging-first": pass }), RULES],
  ["a failed and an unknown item", checklist("release", { "ci-passed": failing("CI failed"), "no-active-incident": unknown }, { "staging-first": pass }), RULES],
  ["a service's failed item", checklist("release", { "ci-passed": pass }, { "staging-first": failing("staging runs v1") }), RULES],
  ["an item waived in stack config", checklist("release", { "ci-passed": waived }, {}), RULES],
  ["a stack waiver where the config refuses them", checklist("release", { "ci-passed": waived }, {}), { ...RULES, acceptStackWaivers: false }],
  ["an item the environment waives", checklist("release", { "no-active-incident": unknown }, {}), { ...RULES, waivers: { "no-active-incident": "no Alertmanager in this environment" } }],
  ["a rollback, judged by its rollback items only", checklist("rollback", { "deployment-window": failing("outside the window") }, { "staging-first": failing("staging ahead"), "artifacts-present": failing("image gone") }), RULES],
];

describe("the checklist gate", () => {
  it.each(CASES)("agrees with the pack's enforce-pre-deployment-checklist item for item: %s", (_case, recorded, rules) => {
    const data = recordData({ stack: "production", environment: "production", checklist: recorded, services: [{ name: "user-api", strategy: "rolling", version: "v2", previousVersion: "v1", rollback: null }] });
    const pack = findings(data, rules);

    const ours = checklistRefusals(recorded, rules);

    expect(ours).toEqual(pack);
    expect(checklistRefusalMessage("production", ours, recorded.release.kind === "rollback")).toBe(findingsMessage("production", pack, recorded.release.kind === "rollback"));
  });

  it("refuses exactly what each case should", () => {
    expect(CASES.map(([name, recorded, rules]) => [name, checklistRefusals(recorded, rules).map((r) => `${r.scope}/${r.item}`)])).toEqual([
      ["every item passed", []],
      ["a failed and an unknown item", ["release/ci-passed", "release/no-active-incident"]],
      ["a service's failed item", ["user-api/staging-first"]],
      ["an item waived in stack config", []],
      ["a stack waiver where the config refuses them", ["release/ci-passed"]],
      ["an item the environment waives", []],
      ["a rollback, judged by its rollback items only", ["user-api/artifacts-present"]],
    ]);
  });

  it("holds the pack's defaults", () => {
    expect(CHECKLIST_DEFAULTS).toEqual(PRE_DEPLOYMENT_CHECKLIST_DEFAULTS);
    expect(MIN_REPLICAS_DEFAULT).toBe(MINIMUM_REPLICAS_DEFAULTS.minReplicas);
  });
});

describe("the policy config the gate reads", () => {
  it("reads production's as shipped: the checklist and minReplicas 2 mandatory", () => {
    const rules = readPolicyRules("production", process.cwd());
    expect(rules).toMatchObject({ source: "policy/config/production.json", checklist: { level: "mandatory", acceptStackWaivers: true, rollbackItems: ["artifacts-present"] }, replicas: { level: "mandatory", minReplicas: 2 } });
  });

  it("reads a bare level, settings, and a policy left out as mandatory with the pack's defaults", () => {
    expect(policyRulesOf('{"enforce-pre-deployment-checklist": "advisory"}', "x.json")).toMatchObject({ checklist: { level: "advisory", ...CHECKLIST_DEFAULTS }, replicas: { level: "mandatory", minReplicas: 2 } });
    expect(policyRulesOf('{"enforce-minimum-replicas": {"enforcementLevel": "disabled", "minReplicas": 3}}', "x.json").replicas).toEqual({ level: "disabled", minReplicas: 3 });
  });
});

describe("the replica gate", () => {
  it("names each Deployment below the minimum and its key, exempting a retired standby and the canary track", () => {
    const config = parseStackConfig(
      editedRaw("production", (raw) => {
        raw.services["user-api"]!.replicas = 1;
        raw.services["payment-service"]!.retireStandby = true;
      }),
    );
    expect(replicaRefusals(config.services, "production", { level: "mandatory", minReplicas: 2 })).toEqual([
      "Deployment production/user-api runs 1 replica; at least 2 are required, so that losing one pod (a node drain, a crash) does not take the service down. Raise spec.replicas to 2 or more (in safe-deploy: services.user-api.replicas).",
    ]);
  });
});

/** The program under mocks, as an update (or a preview), until it returns or throws. */
async function run(edit: StackEdit, options: { preview?: boolean; failing?: Parameters<typeof gatherWith>[0]; secretKeys?: readonly string[] } = {}) {
  const mock = await startMockRun({ stack: "production", config: asAllConfig(editedRaw("production", edit)), preview: options.preview ?? false, secretKeys: options.secretKeys ?? CREDENTIAL_KEYS });
  const warnings: string[] = [];
  vi.spyOn(pulumi.log, "warn").mockImplementation(async (message: string) => void warnings.push(message));
  const outcome = await program({ gather: gatherWith(options.failing ?? []) }).then(
    () => ({ error: undefined }),
    (error: unknown) => ({ error }),
  );
  await mock.settled();
  // Reads (the StackReference to its own last outputs) are not resources the update changes.
  const registered = mock.resources.filter((r) => r.type !== "pulumi:pulumi:StackReference");
  return { ...outcome, registered, warnings };
}

describe("the program in production", () => {
  it("refuses an update with a failing item before registering any resource, in the pack's words", async () => {
    const { error, registered } = await run(() => {}, { failing: ["ci-passed"] });

    expect(error).toBeInstanceOf(pulumi.RunError);
    expect(String((error as Error).message)).toContain("Refused before anything was deployed, by what policy/config/production.json makes mandatory");
    expect(String((error as Error).message)).toContain(
      "  - ci-passed is fail: ci-passed does not hold (from test source of ci-passed). Fix: make ci-passed hold; or waive it in an emergency: safe-deploy:checklistWaivers.ci-passed with by, reason and until.",
    );
    expect(registered).toEqual([]);
  });

  it("previews the same update, warning with the same items", async () => {
    const { error, registered, warnings } = await run(() => {}, { failing: ["ci-passed"], preview: true });

    expect(error).toBeUndefined();
    expect(registered.length).toBeGreaterThan(0);
    expect(warnings.join("\n")).toContain("This preview succeeds, but `pulumi up` would be refused");
    expect(warnings.join("\n")).toContain("ci-passed is fail: ci-passed does not hold");
  });

  it("lets an update through when the failing item is waived in stack config", async () => {
    const { error } = await run((raw) => (raw["checklistWaivers"] = { "ci-passed": { by: "alice", reason: "INC-4711: CI is down, tests ran locally", until: "2026-11-24T18:00:00Z" } }), { failing: ["ci-passed"] });

    expect(error).toBeUndefined();
  });

  it("refuses it once the waiver has expired, saying the waiver waives nothing now", async () => {
    // The checklist is gathered at 2026-11-24T10:00:00Z (GATHERED_AT); the waiver ran out at 09:00.
    const { error, warnings } = await run((raw) => (raw["checklistWaivers"] = { "ci-passed": { by: "alice", reason: "INC-4711: CI is down, tests ran locally", until: "2026-11-24T09:00:00Z" } }), { failing: ["ci-passed"] });

    expect(String((error as Error | undefined)?.message)).toContain("ci-passed is fail: ci-passed does not hold");
    expect(warnings).toContain(
      "expired, waiving nothing: safe-deploy:checklistWaivers.ci-passed (by alice, until 2026-11-24T09:00:00Z); remove them, or waive again with a new until",
    );
  });

  it("refuses a waiver without an end, naming the key", () => {
    expect(() => parseStackConfig({ ...editedRaw("production"), checklistWaivers: { "ci-passed": { by: "alice", reason: "INC-4711: CI is down, tests ran locally" } } })).toThrow(
      "safe-deploy:checklistWaivers.ci-passed.until",
    );
  });

  it("refuses an update with a Deployment below production's minReplicas", async () => {
    const { error, registered } = await run((raw) => (raw.services["user-api"]!.replicas = 1));

    expect(String((error as Error | undefined)?.message)).toContain("Deployment production/user-api runs 1 replica; at least 2 are required");
    expect(registered).toEqual([]);
  });

  it("refuses a credential set without --secret, in preview too, naming the key and the command", async () => {
    const { error, registered } = await run((raw) => (raw["webhookUrl"] = "https://hooks.example.com/T000/B000/XXXX"), { preview: true, secretKeys: [] });

    expect(String((error as Error | undefined)?.message)).toContain(
      "safe-deploy:webhookUrl: the webhook URL (it carries the receiver's token) is stored in plain text; set it as a secret (the command reads the value): pulumi config set --secret --path 'webhookUrl' --stack production",
    );
    expect(registered).toEqual([]);
  });
});
