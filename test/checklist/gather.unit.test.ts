// The runner: with no source configured every item is `unknown` "not
// configured" with the key to set, never `pass`; the shape the record and the
// policy read (every item once, in order, per changed service).
import { describe, expect, it } from "vitest";
import { checklistSchema } from "../../config/checklist";
import { gatherChecklist, stagingStackName, stagingStackProblems } from "../../checklist/gather";
import { RELEASE_ITEMS, SERVICE_ITEMS } from "../../checklist/item";
import { expectWithinBound } from "../support/time-bound";

const request = {
  namespace: "production",
  services: [
    { name: "user-api", version: "v2.4.0", rollbackVersion: "v2.3.1", image: "registry.example.com/shop/user-api" },
    { name: "payment-service", version: "v3.2.0", rollbackVersion: "v3.1.0", image: "registry.example.com/shop/payment-service", migrationVersion: "v3.2.0" },
  ],
};

describe("gatherChecklist", () => {
  it("without a checklist config: every gathered item unknown, not configured, each fix naming its key", async () => {
    const now = new Date("2026-11-23T10:00:00Z");
    const checklist = await gatherChecklist(undefined, request, { now, deployedBy: "ana" });
    expect(checklist.gatheredAt).toBe("2026-11-23T10:00:00.000Z");
    expect(checklist.facts).toEqual({ deployedBy: "ana" });
    expect(checklist.release.map((r) => r.item)).toEqual([...RELEASE_ITEMS]);
    for (const result of checklist.release) {
      expect(result).toMatchObject({ status: "unknown", reason: "not configured" });
      expect(result.source).toMatch(/^config safe-deploy:checklist/);
      expect(result.fix).toBeDefined();
    }
    expect(Object.keys(checklist.services)).toEqual(["user-api", "payment-service"]);
    for (const results of Object.values(checklist.services)) {
      expect(results.map((r) => r.item)).toEqual([...SERVICE_ITEMS]);
      for (const result of results) {
        expect(result.status).toBe(result.item === "rollback-target-known" ? "pass" : "unknown");
      }
    }
  });

  it("asks GitHub nothing without git, since no commit is known, and says so", async () => {
    const checklist = await gatherChecklist(checklistSchema.parse({ github: { owner: "shop", repo: "app", baseUrl: "http://127.0.0.1:1" } }), request, { deployedBy: "ana" });
    expect(checklist.release.find((r) => r.item === "ci-passed")).toMatchObject({
      status: "unknown",
      reason: "GitHub is configured but git is not, so no commit is known to ask about",
      fix: "pulumi config set --path checklist.git.repoPath .",
    });
  });

  it("answers staging-first from the injected reader, and is unknown with the reader's error when it fails", async () => {
    const staging = { stack: "acme/safe-deploy/staging", services: { "user-api": { name: "user-api", strategy: "rolling", live: { strategy: "rolling", version: "v2.4.0", replicas: 5 }, rollbackTarget: null, rollback: null, migration: null } }, lastUpdate: { result: "succeeded" as const } };
    const read = await gatherChecklist(undefined, request, { deployedBy: "ana", readStaging: async () => staging });
    expect(read.services["user-api"]?.[0]).toMatchObject({ item: "staging-first", status: "pass" });
    expect(read.services["payment-service"]?.[0]).toMatchObject({ item: "staging-first", status: "fail", reason: "staging does not run payment-service; production asks for v3.2.0" });

    const failed = await gatherChecklist(undefined, request, { deployedBy: "ana", readStaging: async () => Promise.reject(new Error("no stack named 'acme/safe-deploy/staging' found")) });
    for (const results of Object.values(failed.services)) {
      expect(results[0]).toMatchObject({ item: "staging-first", status: "unknown", reason: "no stack named 'acme/safe-deploy/staging' found" });
    }
  });

  it("gives a reader that never answers `unknown` at the bound, and does not wait for it", async () => {
    const started = performance.now();
    const checklist = await gatherChecklist(undefined, request, { deployedBy: "ana", boundMs: 300, readStaging: () => new Promise(() => {}) });
    const elapsedMs = performance.now() - started;
    expect(checklist.services["user-api"]?.[0]).toMatchObject({ item: "staging-first", status: "unknown", reason: "timed out after 0.3 s" });
    expectWithinBound(elapsedMs, 300, { waitedForIt: true });
  });

  it("never lets a secret through, whatever a source's error said", async () => {
    const token = "ghp_secretThatLeaked42";
    const checklist = await gatherChecklist(undefined, request, { deployedBy: "ana", env: { GITHUB_TOKEN: token }, readStaging: async () => Promise.reject(new Error(`refused token ${token}`)) });
    expect(JSON.stringify(checklist)).not.toContain(token);
    expect(checklist.services["user-api"]?.[0]?.reason).toBe("refused token [secret]");
  });

  it("names the staging stack as configured, or <org>/<project>/staging", () => {
    expect(stagingStackName(undefined, "acme", "safe-deploy")).toBe("acme/safe-deploy/staging");
    expect(stagingStackName(checklistSchema.parse({ staging: { stack: "acme/shop/stage" } }), "acme", "safe-deploy")).toBe("acme/shop/stage");
  });
});

describe("the staging stack staging-first reads", () => {
  const withStaging = (stack: string) => checklistSchema.parse({ staging: { stack } });

  it("refuses this very stack, naming the key: staging-first would judge the release by itself", () => {
    expect(stagingStackProblems(withStaging("acme/safe-deploy/production"), "acme", "safe-deploy", "production")).toEqual([
      "safe-deploy:checklist.staging.stack: names this stack itself (acme/safe-deploy/production): staging-first would judge the release by itself; name the staging stack, e.g. acme/safe-deploy/staging",
    ]);
  });

  it("takes another stack, and the default", () => {
    expect(stagingStackProblems(withStaging("acme/safe-deploy/staging"), "acme", "safe-deploy", "production")).toEqual([]);
    expect(stagingStackProblems(undefined, "acme", "safe-deploy", "production")).toEqual([]);
  });
});
