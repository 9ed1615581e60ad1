// The pack judged the way the engine judges it: served as a process over the
// analyzer protocol (test/policy/support/analyzer.ts), sent every resource the
// program produces for the shipped stack files. The shipped stacks pass
// under their configs; each bad fixture is refused by its policy and no
// other, at the level each environment's config file sets.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BAD_FIXTURES } from "./bad-fixtures";
import { edited } from "./fixtures";
import { POLICY_DIR, readConfigFile, ServedPack, type EngineResource, type Level, type Verdict } from "./support/analyzer";
import { programResources } from "./support/engine-resources";
import { gatherWith } from "../support/checklist-fixtures";
import { UNKNOWN_ON_THE_WIRE } from "./support/sdk";

const ENVIRONMENTS = ["production", "staging", "pull-request"] as const;
type Environment = (typeof ENVIRONMENTS)[number];
const STAGING_HYGIENE = ["disallow-unpinned-images", "configure-health-probes", "configure-resource-limits", "enforce-restricted-pods", "disallow-secret-literals", "configure-bounded-migrations"];

function expectedLevel(environment: Environment, policy: string): Level {
  if (environment === "production") return "mandatory";
  if (environment === "pull-request") return "advisory";
  return STAGING_HYGIENE.includes(policy) ? "mandatory" : "advisory";
}

const summary = (verdicts: readonly Verdict[]) => [...new Set(verdicts.map((v) => `${v.policy} (${v.level})`))];

/** Production's resources after its first update: the program's record of the last update is empty. */
async function firstUpdate(): Promise<EngineResource[]> {
  return (await programResources("production")).resources;
}

describe("the policy pack over the analyzer protocol", () => {
  let pack: ServedPack | undefined;
  beforeAll(async () => {
    pack = await ServedPack.start();
  }, 120_000);
  afterAll(() => pack?.stop());

  it("describes itself as the engine reads it: its name, package version and every policy with its level and config schema", async () => {
    const info = await pack!.info();
    const packageJson = JSON.parse(readFileSync(join(POLICY_DIR, "package.json"), "utf8")) as { version: string };
    expect([info.getName(), info.getVersion(), info.getSupportsconfig()]).toEqual(["safe-deploy", packageJson.version, true]);
    expect(info.getPoliciesList().map((p) => p.getName())).toHaveLength(15);
    const canary = info.getPoliciesList().find((p) => p.getName() === "enforce-canary-steps");
    expect(canary?.getConfigschema()?.getProperties()?.toJavaScript()).toMatchObject({ steps: { default: [10, 25, 50, 100] }, maxFirstStep: { default: 25 } });
  });

  describe("the shipped stacks under their own configs", () => {
    it("production passes under production.json on its first update, with nothing to report", async () => {
      await pack!.configure(readConfigFile("production"));
      expect(await pack!.judge(await firstUpdate())).toEqual([]);
    });

    it("production passes under production.json when applied again over its own last outputs", async () => {
      await pack!.configure(readConfigFile("production"));
      const { outputs } = await programResources("production");
      expect(await pack!.judge((await programResources("production", undefined, outputs.services)).resources)).toEqual([]);
    });

    it("staging passes under staging.json: nothing mandatory; advisories only for its 25% maxUnavailable, which production forbids", async () => {
      await pack!.configure(readConfigFile("staging"));
      const verdicts = await pack!.judge((await programResources("staging")).resources);
      expect(verdicts.filter((v) => v.level === "mandatory")).toEqual([]);
      expect(summary(verdicts)).toEqual(["enforce-safe-rolling-update (advisory)"]);
      // A diagnostic's message is the policy's description, a newline, and what the policy reported.
      expect(verdicts.map((v) => v.message.split("\n")[1]?.split(":")[0]).sort()).toEqual([
        "Deployment staging/payment-service-blue",
        "Deployment staging/payment-service-green",
        "Deployment staging/recommendation-engine",
        "Deployment staging/recommendation-engine-canary",
        "Deployment staging/user-api",
      ]);
    });
  });

  describe("the pre-deployment checklist on the DeploymentRecord", () => {
    const failingCi = async () => (await programResources("production", undefined, undefined, { gather: gatherWith(["ci-passed", "staging-first"]) })).resources;

    it("refuses production under production.json when an item did not pass, naming each item with its reason and fix", async () => {
      await pack!.configure(readConfigFile("production"));
      const verdicts = await pack!.judge(await failingCi());
      expect(summary(verdicts)).toEqual(["enforce-pre-deployment-checklist (mandatory)"]);
      const message = verdicts[0]!.message;
      expect(message).toContain("4 items did not pass");
      expect(message).toContain("  - ci-passed is fail: ci-passed does not hold (from test source of ci-passed). Fix: make ci-passed hold");
      expect(message).toContain("  - payment-service: staging-first is fail: staging-first does not hold");
    });

    it("lists the same items as advisory under pull-request.json and staging.json", async () => {
      for (const environment of ["pull-request", "staging"] as const) {
        await pack!.configure(readConfigFile(environment));
        expect(summary(await pack!.judge(await failingCi()))).toEqual(["enforce-pre-deployment-checklist (advisory)"]);
      }
    });

    it("accepts items waived in stack config, which the record carries with who and why", async () => {
      await pack!.configure(readConfigFile("production"));
      const waived = (raw: Record<string, unknown>) => {
        raw["checklistWaivers"] = {
          "ci-passed": { by: "alice", reason: "CI is down (INC-4711); the suite ran locally", until: "2026-11-24T18:00:00Z" },
          "staging-first": { by: "alice", reason: "hotfix for INC-4711, staging is rebuilt", until: "2026-11-24T18:00:00Z" },
        };
      };
      const { resources } = await programResources("production", waived, undefined, { gather: gatherWith(["ci-passed", "staging-first"]) });
      expect(await pack!.judge(resources)).toEqual([]);
    });
  });

  describe.each(ENVIRONMENTS)("each bad fixture under %s.json", (environment) => {
    beforeAll(async () => {
      await pack!.configure(readConfigFile(environment));
    });

    it.each(BAD_FIXTURES.map((f) => [f.name, f] as const))("%s is refused by its policy alone, at the level the config sets", async (_name, fixture) => {
      const verdicts = await pack!.judge(await fixture.resources());
      expect(summary(verdicts)).toEqual([`${fixture.policy} (${expectedLevel(environment, fixture.policy)})`]);
      expect(verdicts.some((v) => v.message.includes(fixture.says)), verdicts.map((v) => v.message).join("\n")).toBe(true);
    });
  });

  describe("values the engine marks", () => {
    beforeAll(async () => {
      await pack!.configure(readConfigFile("production"));
    });

    it("reports nothing from values unknown during preview (every namespace and image not known yet)", async () => {
      const unknown = (await firstUpdate()).map((resource) => {
        if (!resource.type.startsWith("kubernetes:")) return resource;
        let inputs = edited(resource.inputs, ["metadata", "namespace"], UNKNOWN_ON_THE_WIRE);
        if (resource.type === "kubernetes:apps/v1:Deployment") inputs = edited(inputs, ["spec", "template", "spec", "containers", 0, "image"], UNKNOWN_ON_THE_WIRE);
        return { ...resource, inputs, outputs: inputs };
      });
      expect(await pack!.judge(unknown)).toEqual([]);
    });

    it("sees through a secret-wrapped value and never repeats it", async () => {
      const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "hunter2" };
      const resources = (await firstUpdate()).map((resource) => {
        if (resource.type !== "kubernetes:apps/v1:Deployment" || (resource.inputs["metadata"] as { name?: string }).name !== "user-api") return resource;
        const inputs = edited(resource.inputs, ["spec", "template", "spec", "containers", 0, "env", 1], { name: "DB_PASSWORD", value: secret });
        return { ...resource, inputs, outputs: inputs };
      });
      const verdicts = await pack!.judge(resources);
      expect(summary(verdicts)).toEqual(["disallow-secret-literals (mandatory)"]);
      expect(verdicts.every((v) => !v.message.includes("hunter2"))).toBe(true);
    });
  });
});
