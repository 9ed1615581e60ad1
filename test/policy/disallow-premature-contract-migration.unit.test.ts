import { describe, expect, it } from "vitest";
import { disallowPrematureContractMigration, isOlder } from "../../policy/policies/disallow-premature-contract-migration";
import { deployment, edited, migrationJob, T } from "./fixtures";
import { judgeStack, type StackInput } from "./support/judge";
import { UNKNOWN_ON_THE_WIRE } from "./support/sdk";

const slot = (slotName: "blue" | "green", version: string, replicas: number): StackInput => ({
  type: T.deployment,
  props: deployment({ service: "payment-service", name: `payment-service-${slotName}`, variant: slotName, version, replicas }),
});
const job = (kind: "expand" | "contract"): StackInput => ({ type: T.job, props: migrationJob({ kind }), urn: "urn:job:payment-migration-v3.2.0" });
const judge = (...inputs: StackInput[]) => judgeStack(disallowPrematureContractMigration, inputs);

describe("disallow-premature-contract-migration", () => {
  it.each([
    ["v3.1.0", "v3.2.0", true],
    ["v3.2.0", "v3.2.0", false],
    ["v3.3.0", "v3.2.0", false],
    ["v3.2.0-rc.1", "v3.2.0", true],
    ["main", "v3.2.0", true],
  ])("%s is older than %s: %s", (running, migratedTo, older) => {
    expect(isOlder(running, migratedTo)).toBe(older);
  });

  it("passes an expand migration beside the standby on the previous version", async () => {
    expect((await judge(job("expand"), slot("blue", "v3.1.0", 4), slot("green", "v3.2.0", 4))).violations).toEqual([]);
  });

  it("passes a contract migration once the standby is retired", async () => {
    expect((await judge(job("contract"), slot("blue", "v3.1.0", 0), slot("green", "v3.2.0", 4))).violations).toEqual([]);
  });

  it("refuses a contract migration while the blue standby still serves v3.1.0, on the Job's URN", async () => {
    expect(await judge(job("contract"), slot("blue", "v3.1.0", 4), slot("green", "v3.2.0", 4))).toEqual({
      violations: [
        "Job production/payment-migration-v3.2.0 is a contract migration to v3.2.0, but Deployment production/payment-service-blue (v3.1.0, 4 pods) still serves an older version: " +
          "the migration would remove what they use, and a rollback to them would fail. " +
          "Retire the older version first (in safe-deploy: retireStandby: true, or promote the canary), then contract in a later update.",
      ],
      urns: ["urn:job:payment-migration-v3.2.0"],
    });
  });

  it("refuses a contract migration while a canary's stable track runs the previous version", async () => {
    const stable: StackInput = { type: T.deployment, props: deployment({ service: "payment-service", variant: "stable", version: "v3.1.0", replicas: 8 }) };
    expect((await judge(job("contract"), stable)).violations).toHaveLength(1);
  });

  it("leaves another service's older Deployments out of it", async () => {
    expect((await judge(job("contract"), { type: T.deployment, props: deployment({ version: "v1.0.0" }) })).violations).toEqual([]);
  });

  it("tolerates a standby whose replicas preview cannot know yet", async () => {
    const unknown = { ...slot("blue", "v3.1.0", 4), props: edited(slot("blue", "v3.1.0", 4).props, ["spec", "replicas"], UNKNOWN_ON_THE_WIRE) };
    expect((await judge(job("contract"), unknown)).violations).toEqual([]);
  });
});
