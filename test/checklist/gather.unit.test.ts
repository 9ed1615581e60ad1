// The runner: with no source configured every item is `unknown` "not
// configured" with the key to set, never `pass`; the shape the record and the
// policy read (every item once, in order, per changed service).
import { describe, expect, it } from "vitest";
import { checklistSchema } from "../../config/checklist";
import { gatherChecklist, stagingStackName } from "../../checklist/gather";
import { RELEASE_ITEMS, SERVICE_ITEMS } from "../../checklist/item";

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

  it("names the staging stack as configured, or <org>/<project>/staging", () => {
    expect(stagingStackName(undefined, "acme", "safe-deploy")).toBe("acme/safe-deploy/staging");
    expect(stagingStackName(checklistSchema.parse({ staging: { stack: "acme/shop/stage" } }), "acme", "safe-deploy")).toBe("acme/shop/stage");
  });
});
