import { describe, expect, it } from "vitest";
import { configureBoundedMigrations } from "../../policy/policies/configure-bounded-migrations";
import { deployment, edited, migrationJob, REMOVE, T } from "./fixtures";
import { judgeResource } from "./support/judge";
import { UNKNOWN_ON_THE_WIRE } from "./support/sdk";

const judge = (props: Record<string, unknown>, config: Record<string, unknown> = {}) => judgeResource(configureBoundedMigrations, { type: T.job, props }, config);

describe("configure-bounded-migrations", () => {
  it("passes a migration Job with bounded retries and deadline, named after its version", async () => {
    expect(await judge(migrationJob())).toEqual({ violations: [] });
  });

  it("refuses a migration without backoffLimit", async () => {
    expect((await judge(edited(migrationJob(), ["spec", "backoffLimit"], REMOVE))).violations).toEqual([
      "Job production/payment-migration-v3.2.0 sets no backoffLimit, so Kubernetes retries a failing migration 6 times; set spec.backoffLimit (at most 6).",
    ]);
  });

  it("refuses more retries than configured", async () => {
    expect((await judge(migrationJob(), { maxBackoffLimit: 1 })).violations).toEqual([
      "Job production/payment-migration-v3.2.0 retries 2 times (backoffLimit); a migration that failed 1 times needs a person. Set spec.backoffLimit to 1 or less.",
    ]);
  });

  it("refuses a migration without activeDeadlineSeconds", async () => {
    const { violations } = await judge(edited(migrationJob(), ["spec", "activeDeadlineSeconds"], REMOVE));
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain("sets no activeDeadlineSeconds, so a hung migration holds the update forever");
  });

  it("refuses a deadline beyond the configured one", async () => {
    const { violations } = await judge(edited(migrationJob(), ["spec", "activeDeadlineSeconds"], 7200));
    expect(violations).toEqual(["Job production/payment-migration-v3.2.0 may run 7200 s (activeDeadlineSeconds); at most 3600 s is allowed. Lower spec.activeDeadlineSeconds."]);
  });

  it("refuses ttlSecondsAfterFinished, which makes the Job drift from the stack", async () => {
    const { violations } = await judge(edited(migrationJob(), ["spec", "ttlSecondsAfterFinished"], 300));
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain("deletes itself after it finishes: the cluster then drifts from the stack and the next update runs the migration again");
  });

  it("refuses a name without the version it migrates to", async () => {
    const { violations } = await judge(edited(migrationJob(), ["metadata", "name"], "payment-migration"));
    expect(violations).toEqual([
      "Job production/payment-migration migrates to v3.2.0 but its name does not end in '-v3.2.0', so one version's migration could be mistaken for (or replace) another's. Name it '<prefix>-v3.2.0'.",
    ]);
  });

  it("leaves Jobs that are not migrations alone", async () => {
    const batch = edited(edited(migrationJob(), ["metadata", "labels", "safe-deploy.dev/migration-kind"], REMOVE), ["spec", "template", "metadata", "labels", "safe-deploy.dev/migration-kind"], REMOVE);
    expect(await judge(edited(batch, ["spec", "ttlSecondsAfterFinished"], 300))).toEqual({ violations: [] });
  });

  it("leaves Deployments alone", async () => {
    expect(await judgeResource(configureBoundedMigrations, { type: T.deployment, props: deployment() })).toEqual({ violations: [] });
  });

  it("tolerates a name preview cannot know yet", async () => {
    expect(await judge(edited(migrationJob(), ["metadata", "name"], UNKNOWN_ON_THE_WIRE))).toEqual({ violations: [] });
  });
});
