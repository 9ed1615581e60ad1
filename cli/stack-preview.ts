// One stack's preview for the pull request's comment: judged with the
// pull-request policy config (every policy advisory, so the preview goes
// through and lists every finding), beside which policies the stack's own
// environment enforces; and, per service whose version changes, what serves
// today (the stack's `served` output) against what will, its strategy, and
// the way back the stack output will print once the update is through.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseStackConfig, rawConfigFromAll } from "../config/load";
import { readOutput } from "../lib/stack-outputs";
import { strategyOf } from "../strategies/registry";
import { runEngine } from "./engine-run";
import type { OpenedStack } from "./open-stack";
import type { ServiceChange, StackPreview } from "./preview-comment";

/** The policies a pack config file enforces as mandatory (`"name": "mandatory"` or `{ "enforcementLevel": "mandatory" }`). */
export function mandatoryPolicies(configFile: string): Set<string> {
  const config = JSON.parse(fs.readFileSync(configFile, "utf8")) as Record<string, unknown>;
  return new Set(
    Object.entries(config)
      .filter(([, value]) => value === "mandatory" || (typeof value === "object" && value !== null && (value as { enforcementLevel?: unknown }).enforcementLevel === "mandatory"))
      .map(([name]) => name),
  );
}

export async function previewForComment(opened: OpenedStack, options: { readonly timeoutMs: number; readonly progress?: (line: string) => void }): Promise<StackPreview> {
  const own = opened.policy.policyPackConfigs[0];
  const packDir = opened.policy.policyPacks[0] ?? "policy";
  const pullRequest = { ...opened, policy: { policyPacks: opened.policy.policyPacks, policyPackConfigs: [path.join(packDir, "config", "pull-request.json")] } };
  const run = await runEngine(pullRequest, "preview", { timeoutMs: options.timeoutMs, ...(options.progress === undefined ? {} : { progress: options.progress }) });
  const outputs = await opened.stack.outputs();
  const served = readOutput("served", outputs["served"]?.value, opened.stack.name);
  const services: ServiceChange[] = [];
  // Config the program refused says so in the run's errors; there is no version change to list then.
  let parsed: ReturnType<typeof parseStackConfig>;
  try {
    parsed = parseStackConfig(rawConfigFromAll(opened.config));
  } catch {
    return { stack: opened.stack.name, environment: opened.environment, run, services, mandatory: own === undefined ? new Set() : mandatoryPolicies(own) };
  }
  for (const spec of parsed.services) {
    const strategy = strategyOf(spec);
    const to = strategy.releaseVersions(spec).version;
    const now = served.known ? served.value[spec.name]?.versions : undefined;
    const from = now === undefined || now.length === 0 ? null : now.join(" + ");
    if (from === to) continue;
    const plan = strategy.rollbackPlan(spec, { namespace: parsed.namespace, stack: opened.stack.name, environment: opened.environment });
    services.push({ name: spec.name, strategy: spec.strategy, from, to, ...(plan === undefined ? {} : { rollback: { target: plan.target, quick: plan.quick, pulumi: plan.pulumi } }) });
  }
  return { stack: opened.stack.name, environment: opened.environment, run, services, mandatory: own === undefined ? new Set() : mandatoryPolicies(own) };
}
