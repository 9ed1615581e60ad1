// The decide functions of the sources with I/O, over tables of what each
// source could answer: pass only when the fact holds, fail with what was
// seen, never pass on an empty or odd answer.
import { describe, expect, it } from "vitest";
import { decideNoActiveIncident } from "../../checklist/sources/alertmanager";
import { decideClusterHealth, podProblem, type PodFact } from "../../checklist/sources/cluster";
import { decideGit, type GitFacts } from "../../checklist/sources/git";
import { ciHttpFailure, decideCi } from "../../checklist/sources/github";
import { decideMonitoring, ruleWatches, type AlertingRule } from "../../checklist/sources/prometheus";
import { decideArtifacts, parseChallenge, repositoryOf } from "../../checklist/sources/registry";

const COMMIT = "0123456789abcdef0123456789abcdef01234567";

describe("git", () => {
  const facts = (over: Partial<GitFacts>): GitFacts => ({ commit: COMMIT, changes: [], tagsAtHead: [], ...over });
  it.each([
    ["clean", facts({}), "pass", "the working tree is clean at 0123456789ab"],
    ["a modified file", facts({ changes: [{ path: "src/a.ts", code: " M" }] }), "fail", "the working tree differs from 0123456789ab: src/a.ts (modified)"],
    ["an untracked file", facts({ changes: [{ path: "notes.txt", code: "??" }] }), "fail", "notes.txt (untracked)"],
    ["a staged file", facts({ changes: [{ path: "b.ts", code: "A " }] }), "fail", "b.ts (added)"],
    ["many changes", facts({ changes: Array.from({ length: 7 }, (_, i) => ({ path: `f${i}`, code: " M" })) }), "fail", "f4 (modified) and 2 more"],
  ])("tree-clean, %s", (_what, given, status, reason) => {
    const result = decideGit(given, "git /repo").treeClean;
    expect(result.status).toBe(status);
    expect(result.reason).toContain(reason);
  });

  it.each([
    ["an annotated tag", facts({ tagsAtHead: [{ name: "v2.4.0", annotated: true }] }), "pass", "0123456789ab carries the annotated tag v2.4.0", "v2.4.0"],
    ["an annotated tag beside a lightweight one", facts({ tagsAtHead: [{ name: "latest", annotated: false }, { name: "v2.4.0", annotated: true }] }), "pass", "annotated tag v2.4.0", "v2.4.0"],
    ["only a lightweight tag: refused", facts({ tagsAtHead: [{ name: "v2.4.0", annotated: false }] }), "fail", "0123456789ab carries only the lightweight tag v2.4.0; a release needs an annotated tag", undefined],
    ["no tag, the last one on another commit", facts({ nearestTag: "v2.3.1" }), "fail", "0123456789ab carries no tag; the latest tag, v2.3.1, is on an earlier commit", undefined],
    ["no tag at all", facts({}), "fail", "0123456789ab carries no tag", undefined],
  ])("release-tagged, %s", (_what, given, status, reason, tag) => {
    const decided = decideGit(given, "git /repo");
    expect(decided.releaseTagged.status).toBe(status);
    expect(decided.releaseTagged.reason).toContain(reason);
    expect(decided.tag).toBe(tag);
    if (status === "fail") expect(decided.releaseTagged.fix).toMatch(/git tag -a/);
  });
});

describe("ci-passed", () => {
  const run = (name: string, status: string, conclusion: string | null) => ({ name, status, conclusion });
  it.each([
    ["every check run and status succeeded", [run("build", "completed", "success"), run("lint", "completed", "skipped")], [{ context: "ci/jenkins", state: "success" }], "pass", "CI passed for 0123456789ab: 2 check run(s) and 1 status(es)"],
    ["a check run failed", [run("build", "completed", "failure"), run("lint", "completed", "success")], [], "fail", "CI failed for 0123456789ab: build (failure)"],
    ["a check run timed out", [run("e2e", "completed", "timed_out")], [], "fail", "e2e (timed_out)"],
    ["a status errored", [], [{ context: "ci/jenkins", state: "error" }], "fail", "ci/jenkins (error)"],
    ["a check run still in progress", [run("build", "in_progress", null)], [], "fail", "CI has not finished for 0123456789ab: build (in_progress)"],
    ["a status still pending", [run("build", "completed", "success")], [{ context: "ci/jenkins", state: "pending" }], "fail", "ci/jenkins (pending)"],
    ["a failure beats a pending", [run("build", "in_progress", null), run("lint", "completed", "failure")], [], "fail", "CI failed"],
    ["nothing ran", [], [], "fail", "no CI result for 0123456789ab"],
  ])("%s", (_what, checkRuns, statuses, status, reason) => {
    const result = decideCi({ commit: COMMIT, checkRuns, statuses }, "GitHub https://api.github.com");
    expect(result.status).toBe(status);
    expect(result.reason).toContain(reason);
  });

  it.each([
    [401, true, "GitHub answered 401 Unauthorized: the token (checklist.github.token or GITHUB_TOKEN) is wrong or expired"],
    [401, false, "GitHub answered 401 Unauthorized: no token was given"],
    [404, false, "GitHub answered 404: no commit 0123456789ab in the configured repository, or it is private and no token was given"],
    [500, true, "GitHub answered 500"],
  ])("HTTP %i (token %s) is unknown: %s", (status, hasToken, reason) => {
    expect(ciHttpFailure(status, COMMIT, hasToken)).toMatchObject({ status: "unknown", reason });
  });
});

describe("no-active-incident", () => {
  const policy = { severities: ["info", "warning", "critical"], minSeverity: "critical" };
  const alert = (alertname: string, severity?: string) => ({ labels: { alertname, ...(severity === undefined ? {} : { severity }) }, startsAt: "2026-11-26T08:00:00Z" });
  it.each([
    ["no alert", [], policy, "pass", "no alert is firing"],
    ["a warning below critical", [alert("HighLatency", "warning")], policy, "pass", "1 alert(s) firing, none at or above critical"],
    ["a critical alert", [alert("PaymentsDown", "critical")], policy, "fail", "1 alert(s) firing at or above critical: PaymentsDown (critical, since 2026-11-26T08:00:00Z)"],
    ["a warning when the floor is warning", [alert("HighLatency", "warning")], { ...policy, minSeverity: "warning" }, "fail", "HighLatency (warning"],
    ["a Watchdog without a known severity", [alert("Watchdog", "none"), alert("NoSeverity")], policy, "pass", "2 alert(s) firing, none at or above critical"],
  ])("%s", (_what, alerts, given, status, reason) => {
    const result = decideNoActiveIncident(alerts, given, "Alertmanager http://am");
    expect(result.status).toBe(status);
    expect(result.reason).toContain(reason);
  });
});

describe("monitoring-configured", () => {
  const rule = (name: string, query: string, labels: Record<string, string> = {}): AlertingRule => ({ group: "shop", name, query, labels });
  it.each([
    ["a label on the rule", rule("UserApiDown", "up == 0", { app: "user-api" }), true],
    ["a matcher in the query", rule("UserApiErrors", 'rate(http_requests_total{app="user-api",code=~"5.."}[5m]) > 1'), true],
    ["a matcher with spaces and single quotes", rule("R", "up{app = 'user-api'} == 0"), true],
    ["a regex matcher naming it", rule("R", 'up{app=~"cart|user-api"} == 0'), true],
    ["another service whose name contains it", rule("R", 'up{app="user-api-v2"} == 0'), false],
    ["another label", rule("R", 'up{job="user-api"} == 0'), false],
    ["a regex matcher naming a longer name", rule("R", 'up{app=~"user-api-v2|cart"} == 0'), false],
  ])("%s: %s", (_what, given, watches) => {
    expect(ruleWatches(given, "app", "user-api")).toBe(watches);
  });

  it("passes with a rule for the service and fails without, naming the label", () => {
    const rules = [rule("UserApiDown", 'up{app="user-api"} == 0'), rule("CartDown", 'up{app="cart"} == 0')];
    expect(decideMonitoring("user-api", rules, "app", "Prometheus http://p")).toMatchObject({ status: "pass", reason: "1 alerting rule(s) watch user-api: UserApiDown (shop)" });
    expect(decideMonitoring("payment-service", rules, "app", "Prometheus http://p")).toMatchObject({
      status: "fail",
      reason: 'no alerting rule watches payment-service (none of 2 rule(s) has app="payment-service" in its labels or query); a bad release would page no one',
    });
  });
});

describe("artifacts-present", () => {
  it.each([
    ["registry.example.com/shop/user-api", "shop/user-api"],
    ["127.0.0.1:5000/shop/user-api", "shop/user-api"],
    ["localhost/user-api", "user-api"],
    ["shop/user-api", "shop/user-api"],
    ["user-api", "user-api"],
  ])("the repository of %s is %s", (image, repository) => {
    expect(repositoryOf(image)).toBe(repository);
  });

  it.each([
    [[{ tag: "v2.4.0", role: "new version" as const, present: true, digest: "sha256:0123456789abcdef0123" }, { tag: "v2.3.1", role: "rollback target" as const, present: true }], "pass", "user-api: r.example.com/user-api has v2.4.0 (new version, sha256:0123456789ab) and v2.3.1 (rollback target)"],
    [[{ tag: "v2.4.0", role: "new version" as const, present: false }, { tag: "v2.3.1", role: "rollback target" as const, present: true }], "fail", "user-api: r.example.com/user-api:v2.4.0 (new version) not in the registry"],
    [[{ tag: "v2.4.0", role: "new version" as const, present: true }, { tag: "v2.3.1", role: "rollback target" as const, present: false }], "fail", "user-api: r.example.com/user-api:v2.3.1 (rollback target) not in the registry; without the rollback target's image a rollback would fail to pull"],
  ])("%#: %s", (lookups, status, reason) => {
    expect(decideArtifacts("user-api", "r.example.com/user-api", lookups, "registry https://r.example.com")).toMatchObject({ status, reason });
  });

  it("reads a Bearer challenge", () => {
    expect(parseChallenge('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:shop/api:pull"')).toEqual({
      realm: "https://auth.example.com/token",
      service: "registry.example.com",
      scope: "repository:shop/api:pull",
    });
    expect(parseChallenge('Basic realm="Registry"')).toBeUndefined();
  });
});

describe("cluster-healthy", () => {
  const now = new Date("2026-11-26T10:00:00Z");
  const pod = (over: Partial<PodFact>): PodFact => ({ name: "user-api-1", phase: "Running", createdAt: "2026-11-26T09:00:00Z", waiting: [], ofJob: false, ...over });
  it.each([
    ["running", pod({}), undefined],
    ["crash looping", pod({ waiting: ["CrashLoopBackOff"] }), "user-api-1 CrashLoopBackOff"],
    ["failing to pull", pod({ phase: "Pending", waiting: ["ImagePullBackOff"] }), "user-api-1 ImagePullBackOff"],
    ["a bad image reference", pod({ phase: "Pending", waiting: ["ErrImagePull"] }), "user-api-1 ErrImagePull"],
    ["Pending within the bound", pod({ phase: "Pending", createdAt: "2026-11-26T09:56:00Z" }), undefined],
    ["Pending beyond the bound", pod({ phase: "Pending", createdAt: "2026-11-26T09:50:00Z" }), "user-api-1 Pending for 600 s (bound 300 s)"],
    ["Failed", pod({ phase: "Failed", reason: "Evicted" }), "user-api-1 Failed (Evicted)"],
    ["a Job's failed attempt", pod({ phase: "Failed", ofJob: true }), undefined],
    ["a Job's pod done", pod({ phase: "Succeeded", ofJob: true }), undefined],
    ["still creating its container", pod({ phase: "Pending", waiting: ["ContainerCreating"], createdAt: "2026-11-26T09:59:00Z" }), undefined],
  ])("a pod %s", (_what, given, problem) => {
    expect(podProblem(given, now, 300)).toBe(problem);
  });

  it.each([
    ["healthy", [{ name: "n1", ready: true }], [pod({})], "pass", "1 node(s) Ready, 1 pod(s) in namespace production, none failing"],
    ["a node not Ready", [{ name: "n1", ready: true }, { name: "n2", ready: false, why: "KubeletNotReady" }], [], "fail", "1 of 2 node(s) not Ready: n2 (KubeletNotReady)"],
    ["no nodes", [], [], "fail", "the cluster has no nodes"],
    ["a crash-looping pod", [{ name: "n1", ready: true }], [pod({ waiting: ["CrashLoopBackOff"] })], "fail", "1 pod(s) failing in namespace production: user-api-1 CrashLoopBackOff"],
  ])("%s", (_what, nodes, pods, status, reason) => {
    const result = decideClusterHealth({ server: "https://127.0.0.1:6443", namespace: "production", nodes, pods }, now, 300, "Kubernetes API https://127.0.0.1:6443");
    expect(result).toMatchObject({ item: "cluster-healthy", status, reason: expect.stringContaining(reason) });
  });
});
