import { describe, expect, it } from "vitest";
import { enforcePreDeploymentChecklist, findings, PRE_DEPLOYMENT_CHECKLIST_DEFAULTS } from "../../policy/policies/enforce-pre-deployment-checklist";
import { NS } from "./fixtures";
import { judgeStack } from "./support/judge";
import { UNKNOWN_ON_THE_WIRE } from "./support/sdk";

type Item = { status: string; reason: string; source: string; fix?: string; waived?: { by: string; reason: string } };
const pass = (source = "git /srv/shop"): Item => ({ status: "pass", reason: "holds", source });
const CI_FAILED: Item = { status: "fail", reason: "check run 'test' concluded failure on 1a2b3c", source: "GitHub https://api.github.com", fix: "fix the build and push" };
const NO_ALERTMANAGER: Item = { status: "unknown", reason: "not configured", source: "config safe-deploy:checklist.alertmanager", fix: "set safe-deploy:checklist.alertmanager.url" };
const STAGING_BEHIND: Item = {
  status: "fail",
  reason: "staging runs v2.3.1, production asks for v2.4.0",
  source: "stack organization/safe-deploy/staging",
  fix: "pulumi config set --stack staging --path services.user-api.version v2.4.0 && pulumi up --stack staging",
};

/** The record as the program writes it: release items, and per service its release and items. */
function record(release: Record<string, Item>, services: Record<string, Record<string, Item>> = {}) {
  const data: Record<string, string> = {
    stack: "production",
    environment: "production",
    commit: "1a2b3c",
    tag: "v2.4.0",
    "deployed-by": "alice",
    "gathered-at": "2026-11-26T10:00:00.000Z",
    "checklist.release": JSON.stringify(release),
  };
  for (const [name, items] of Object.entries(services)) {
    data[`service.${name}`] = JSON.stringify({ strategy: "rolling", version: "v2.4.0", previousVersion: "v2.3.1", rollback: null, checklist: items });
  }
  return { type: "kubernetes:core/v1:ConfigMap", name: "deployment-record-configmap", props: { metadata: { name: "safe-deploy-record", namespace: NS }, data } };
}

const judge = (data: ReturnType<typeof record>, config: Record<string, unknown> = {}) => judgeStack(enforcePreDeploymentChecklist, [data], config);

describe("enforce-pre-deployment-checklist", () => {
  it("passes a release whose every item passed", async () => {
    expect((await judge(record({ "tree-clean": pass(), "ci-passed": pass() }, { "user-api": { "staging-first": pass() } }))).violations).toEqual([]);
  });

  it("refuses a failed item, a service's item and an unknown one in one message, each with its reason, source and fix", async () => {
    const { violations } = await judge(record({ "tree-clean": pass(), "ci-passed": CI_FAILED, "no-active-incident": NO_ALERTMANAGER }, { "user-api": { "staging-first": STAGING_BEHIND } }));
    expect(violations).toHaveLength(1);
    const [message] = violations;
    expect(message).toContain("The pre-deployment checklist of stack 'production' is not complete: 3 items did not pass");
    expect(message).toContain(
      "  - ci-passed is fail: check run 'test' concluded failure on 1a2b3c (from GitHub https://api.github.com). Fix: fix the build and push; or waive it in an emergency: safe-deploy:checklistWaivers.ci-passed with by, reason and until.",
    );
    expect(message).toContain("  - no-active-incident is unknown: not configured (from config safe-deploy:checklist.alertmanager). Fix: set safe-deploy:checklist.alertmanager.url");
    expect(message).toContain(
      "  - user-api: staging-first is fail: staging runs v2.3.1, production asks for v2.4.0 (from stack organization/safe-deploy/staging). Fix: pulumi config set --stack staging --path services.user-api.version v2.4.0 && pulumi up --stack staging",
    );
    expect(message).not.toContain("tree-clean");
  });

  it("names the record as the resource at fault", async () => {
    expect((await judge(record({ "ci-passed": CI_FAILED }))).urns).toEqual(["urn:pulumi:production::safe-deploy::kubernetes:core/v1:ConfigMap::deployment-record-configmap"]);
  });

  it("accepts an item the stack config waived, with who and why, and refuses it when the policy config accepts no stack waivers", async () => {
    const waived = record({ "ci-passed": { ...CI_FAILED, waived: { by: "alice", reason: "CI is down, INC-4711" } } });
    expect((await judge(waived)).violations).toEqual([]);
    expect((await judge(waived, { acceptStackWaivers: false })).violations[0]).toContain("ci-passed is fail");
  });

  it("does not take a waiver without who or why", async () => {
    const waived = record({ "ci-passed": { ...CI_FAILED, waived: { by: "", reason: "CI is down, INC-4711" } } });
    expect((await judge(waived)).violations).toHaveLength(1);
  });

  it("accepts an item the policy config waives for the environment, for the release and every service", async () => {
    const data = record({ "no-active-incident": NO_ALERTMANAGER }, { "user-api": { "staging-first": STAGING_BEHIND } });
    expect((await judge(data, { waivers: { "no-active-incident": "no Alertmanager in this environment", "staging-first": "there is no staging here" } })).violations).toEqual([]);
  });

  it("judges a rollback by its rollback items only: the window, staging and CI do not hold back the way back", async () => {
    const data = record({ "ci-passed": CI_FAILED, "deployment-window": { status: "fail", reason: "sat 03:00 UTC is outside the window", source: "clock" } }, { "user-api": { "staging-first": STAGING_BEHIND } });
    (data.props.data as Record<string, string>)["release-kind"] = "rollback";
    expect((await judge(data)).violations).toEqual([]);

    const missingImage: Item = { status: "fail", reason: "registry.example.com/shop/user-api:v2.3.1 is not in the registry", source: "registry", fix: "push it" };
    const withoutImage = record({ "ci-passed": CI_FAILED }, { "user-api": { "artifacts-present": missingImage, "staging-first": STAGING_BEHIND } });
    (withoutImage.props.data as Record<string, string>)["release-kind"] = "rollback";
    const { violations } = await judge(withoutImage);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain("1 item did not pass, so the rollback is refused");
    expect(violations[0]).toContain("user-api: artifacts-present is fail");
  });

  it("counts a record it cannot read as a finding, never as a pass", () => {
    expect(findings({ "checklist.release": "not json" }, PRE_DEPLOYMENT_CHECKLIST_DEFAULTS).map((f) => [f.item, f.status])).toEqual([["(record)", "unreadable"]]);
    expect(findings({ "checklist.release": JSON.stringify({ "ci-passed": { status: "maybe" } }) }, PRE_DEPLOYMENT_CHECKLIST_DEFAULTS).map((f) => f.reason)).toEqual(["no reason recorded"]);
  });

  it("tolerates record data preview cannot know yet", async () => {
    const data = record({ "ci-passed": CI_FAILED });
    (data.props as { data: unknown }).data = UNKNOWN_ON_THE_WIRE;
    expect((await judge(data)).violations).toEqual([]);
  });

  it("is not applicable to a stack without a DeploymentRecord", async () => {
    expect((await judgeStack(enforcePreDeploymentChecklist, [])).notApplicable).toContain("no DeploymentRecord (ConfigMap safe-deploy-record)");
  });
});
