// The policy pack with the real engine and the local cluster, passed the way
// the README tells a user to: its "Policy pack" section's printed `pulumi
// preview` and `pulumi up` lines, their flags taken as the CLI takes them and
// handed to the Automation API (`policyPacks`, `policyPackConfigs`), which
// passes them back to the CLI as `--policy-pack` and `--policy-pack-config`.
// The engine starts the pack through the `pulumi-analyzer-policy-nodejs`
// plugin (test/standins/bin).
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT, type EngineStack } from "../../tools/rehearsal/engine";
import { localChecklist } from "../../tools/rehearsal/local-checklist";
import { staleBuild } from "../policy/support/analyzer";
import { apis, changes, deploymentsSettled, engineFor, refusal, startE2e, stopE2e, toolchain, UP_TIMEOUT_MS, type E2eContext } from "./support";

const NS = "production";

/** The README's "Policy pack" section. */
function policySection(): string {
  const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
  const start = readme.indexOf("\n## Policy pack\n");
  if (start < 0) throw new Error("README.md has no '## Policy pack' section");
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

interface PackOptions {
  readonly stack: string;
  readonly color: "never";
  readonly policyPacks: string[];
  readonly policyPackConfigs: string[];
}

/**
 * The README's printed `pulumi <operation> --stack <stack> ... <environment>.json`
 * line, its flags read as the CLI reads them (paths relative to the project's
 * root, where the user types them); any other flag is refused.
 */
function readmeLine(operation: "preview" | "up", stack: string, environment: string): PackOptions {
  const line = policySection()
    .split("\n")
    .find((l) => l.startsWith(`pulumi ${operation} --stack ${stack} `) && l.endsWith(`/${environment}.json`));
  if (line === undefined) throw new Error(`the README prints no 'pulumi ${operation} --stack ${stack} ... ${environment}.json' line`);
  const tokens = line.trim().split(/\s+/).slice(2);
  const options: PackOptions = { stack: "", color: "never", policyPacks: [], policyPackConfigs: [] };
  let named = "";
  for (let i = 0; i < tokens.length; i += 2) {
    const [flag, value] = [tokens[i], tokens[i + 1]];
    if (value === undefined || value.startsWith("-")) throw new Error(`'${line}': ${flag} needs a value`);
    if (flag === "--stack") named = value;
    else if (flag === "--policy-pack") options.policyPacks.push(path.resolve(PROJECT_ROOT, value));
    else if (flag === "--policy-pack-config") options.policyPackConfigs.push(path.resolve(PROJECT_ROOT, value));
    else throw new Error(`'${line}': a flag this test does not hand on: ${flag}`);
  }
  return { ...options, stack: named };
}

/** The Automation API options for the README's line (the stack is the engine's own). */
function asOptions({ stack: _stack, ...options }: PackOptions): Omit<PackOptions, "stack"> {
  return options;
}


/** user-api's Deployment and PodDisruptionBudget as the API server has them. */
async function userApiObjects(ctx: E2eContext) {
  const { apps } = await apis(ctx.kc);
  const k8s = await import("@kubernetes/client-node");
  const policy = ctx.kc.makeApiClient(k8s.PolicyV1Api);
  const deployment = await apps.readNamespacedDeployment({ name: "user-api", namespace: NS });
  const budget = await policy.readNamespacedPodDisruptionBudget({ name: "user-api", namespace: NS });
  return {
    replicas: deployment.spec?.replicas,
    deploymentVersion: deployment.metadata?.resourceVersion,
    budgetVersion: budget.metadata?.resourceVersion,
  };
}

describe.skipIf(!toolchain.ok)("the policy pack with the real engine and cluster", () => {
  let context: E2eContext | undefined;
  let engine: EngineStack | undefined;
  beforeAll(async () => {
    const stale = staleBuild();
    if (stale !== undefined) throw new Error(stale);
    context = await startE2e("policy");
  }, 90_000);
  afterAll(() => stopE2e(context), 60_000);

  it(
    "previews and deploys the shipped production stack with the README's lines for production.json",
    async () => {
      const ctx = context!;
      // The checklist as a rehearsal has it (tools/rehearsal/local-checklist.ts): what a laptop lacks is waived, visibly;
      // staging-first too, as no staging stack shares this backend (test/e2e/checklist.test.ts deploys staging first).
      engine = await engineFor(ctx, "production", {
        editStackFile: localChecklist({ now: new Date(), alsoWaive: { "staging-first": "this test deploys production alone; checklist.test.ts deploys staging first" } }),
      });

      const previewLine = readmeLine("preview", "production", "production");
      const upLine = readmeLine("up", "production", "production");
      expect([previewLine.stack, upLine.stack]).toEqual([engine.stack.name, engine.stack.name]);

      const preview = await engine.stack.preview(asOptions(previewLine));
      const up = await engine.stack.up(asOptions(upLine));

      // The pack ran (the engine names it under "Policies") and found nothing.
      expect(preview.stdout).toMatch(/safe-deploy@v0\.1\.0/);
      expect(preview.stdout).not.toMatch(/mandatory|advisory/);
      expect(up.summary.result).toBe("succeeded");
      expect(await deploymentsSettled(ctx.kc, NS)).toMatchObject({ "user-api": "5/5 available, 5 updated" });
      expect(changes((await engine.stack.preview(asOptions(previewLine))).changeSummary)).toEqual({});
    },
    UP_TIMEOUT_MS * 2,
  );

  it(
    "refuses replicas: 1 in production at preview and at up, naming the policy and saying why, and leaves the cluster as it was",
    async () => {
      const ctx = context!;
      const before = await userApiObjects(ctx);
      await engine!.stack.setConfig("services.user-api.replicas", { value: "1" }, true);

      const previewed = await refusal(engine!.stack.preview(asOptions(readmeLine("preview", "production", "production"))));
      const updated = await refusal(engine!.stack.up(asOptions(readmeLine("up", "production", "production"))));

      for (const output of [previewed, updated]) {
        expect(output).toContain("enforce-minimum-replicas");
        expect(output).toContain("mandatory");
        expect(output).toContain("Deployment production/user-api runs 1 replica; at least 2 are required");
      }
      expect(await userApiObjects(ctx)).toEqual(before);
      expect(before.replicas).toBe(5);
    },
    UP_TIMEOUT_MS * 2,
  );

  it(
    "lets the same edit through under pull-request.json, listing the violation as advisory",
    async () => {
      const preview = await engine!.stack.preview(asOptions(readmeLine("preview", "production", "pull-request")));

      expect(preview.stdout).toContain("enforce-minimum-replicas");
      expect(preview.stdout).toContain("advisory");
      expect(preview.stdout).toContain("Deployment production/user-api runs 1 replica; at least 2 are required");
      expect(preview.stdout).not.toContain("mandatory");
    },
    UP_TIMEOUT_MS,
  );

  it(
    "refuses a config file that does not match a policy's declared schema, before anything runs",
    async () => {
      const ctx = context!;
      const bad = path.join(ctx.dir, "bad-policy-config.json");
      fs.writeFileSync(bad, JSON.stringify({ "enforce-minimum-replicas": { enforcementLevel: "mandatory", minReplicas: "two" } }));

      const output = await refusal(engine!.stack.preview({ ...asOptions(readmeLine("preview", "production", "production")), policyPackConfigs: [bad] }));

      expect(output).toContain("error: validating policy config: safe-deploy 0.1.0  enforce-minimum-replicas: minReplicas: Invalid type. Expected: integer, given: string");
    },
    UP_TIMEOUT_MS,
  );
});
