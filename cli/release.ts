// `safe-deploy release SERVICE VERSION`: the strategy's release steps, each
// an ordinary update the pack judges (so each is an entry of `pulumi stack
// history`), and, when an update fails after traffic may have moved (its
// smoke test, the switch, its verify window), the way back at once: traffic
// first with the quick command computed from the released config (the stack
// outputs still describe the update before), then the service's config as it
// was before the release and the update that makes the stack agree.
// A release the pack or a gate refuses changed nothing: its config is put
// back and it exits as refused.
import * as fs from "node:fs";
import { z } from "zod";
import { parseStackConfig, rawConfigFromAll } from "../config/load";
import type { ReleasePlan } from "../strategies/strategy";
import { strategyOf, type ServiceConfig } from "../strategies/registry";
import { runEngine, type EngineRun, type Outcome } from "./engine-run";
import { CommandInputError, readConfigValues, type OpenedStack } from "./open-stack";
import { applyServiceConfig, changesOf, configChanges, serviceRaw } from "./rollback-target";
import { shell } from "./shell";

export type ReleaseOutcome = Outcome | "rolled-back";

export interface ReleaseRun {
  readonly service: string;
  readonly stack: string;
  readonly version: string;
  readonly strategy: string;
  readonly outcome: ReleaseOutcome;
  /** Each step: what it does, and its update. */
  readonly steps: readonly { readonly what: string; readonly update: EngineRun }[];
  /** The way back after a failed step: the quick command, then the update with the config from before the release. */
  readonly undo?: {
    readonly quick: { readonly command: string; readonly ok: boolean; readonly seconds: number; readonly output: string } | null;
    readonly update: EngineRun;
  };
  readonly seconds: number;
}

export interface ReleaseOptions {
  readonly timeoutMs: number;
  readonly progress?: (line: string) => void;
}

function serviceSpec(config: Readonly<Record<string, string>>, stack: string, service: string): ServiceConfig {
  const spec = parseStackConfig(rawConfigFromAll(config)).services.find((s) => s.name === service);
  if (spec === undefined) throw new CommandInputError(`stack ${stack} has no service '${service}' under safe-deploy:services`);
  return spec;
}

/** The runbook's canary shares, as the pack's enforce-canary-steps judges them in this environment (10, 30, 50, 100 unless configured). */
function releasePlan(opened: OpenedStack): ReleasePlan {
  const file = opened.policy.policyPackConfigs[0];
  const parsed = packConfigSchema.safeParse(file === undefined ? {} : JSON.parse(fs.readFileSync(file, "utf8")));
  return { canarySteps: (parsed.success ? parsed.data["enforce-canary-steps"]?.steps : undefined) ?? [10, 30, 50, 100] };
}

const packConfigSchema = z.looseObject({ "enforce-canary-steps": z.looseObject({ steps: z.array(z.number()).optional() }).optional() });

export async function releaseService(opened: OpenedStack, service: string, version: string, options: ReleaseOptions): Promise<ReleaseRun> {
  const started = Date.now();
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const remaining = () => Math.max(1, options.timeoutMs - (Date.now() - started));
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  const { stack } = opened;
  const spec = serviceSpec(opened.config, stack.name, service);
  const strategy = strategyOf(spec);
  const planned = strategy.releaseSteps(spec, version, releasePlan(opened));
  if (planned.length > 1) {
    throw new CommandInputError(
      `a release of ${service} (${spec.strategy}) takes ${planned.length} steps with the canary analysis deciding between them, which this version does not run yet: step it by hand (README, "Canary")`,
    );
  }
  const before = serviceRaw(opened.config, service);
  const base = { service, stack: stack.name, version, strategy: spec.strategy };
  const steps: { what: string; update: EngineRun }[] = [];

  // No step left (a rerun after an interrupted or failed release, or the version already out): the update
  // alone converges, and changes nothing when the release went out.
  const toRun = planned.length === 0 ? [{ what: `${service} ${version} is in the stack config already: bring the cluster into agreement`, set: {}, remove: [] }] : planned;
  let released: ServiceConfig = spec;
  for (const step of toRun) {
    progress(`${service}: ${step.what}`);
    await applyServiceConfig(stack, service, changesOf(step));
    const now = await readConfigValues(stack);
    released = serviceSpec(now, stack.name, service);
    const update = await runEngine({ ...opened, config: now }, "up", { timeoutMs: remaining(), progress, readChecklist: true });
    steps.push({ what: step.what, update });
    if (update.outcome === "succeeded") continue;
    const back = configChanges(serviceRaw(now, service), before);
    if (update.outcome === "refused") {
      // Nothing was deployed: the config goes back so the stack file says what runs.
      await applyServiceConfig(stack, service, back);
      return { ...base, outcome: "refused", steps, seconds: seconds() };
    }
    // A rerun's update (no step of its own) has no config from before the release to go back to, and one cut at
    // its bound has no time left: both say what happened and leave the way back to the operator (safe-deploy rollback).
    if (planned.length === 0 || update.outcome !== "failed") return { ...base, outcome: update.outcome, steps, seconds: seconds() };
    progress(`${service}: the release failed (${update.errors[0] ?? update.outcome}); taking it back`);
    const undo = await takeBack(opened, released, back, remaining(), progress);
    return { ...base, outcome: undo.update.outcome === "succeeded" ? "rolled-back" : "failed", steps, undo, seconds: seconds() };
  }
  return { ...base, outcome: "succeeded", steps, seconds: seconds() };
}

/** Traffic back with the quick command the released config prints, then the config from before the release and its update. */
async function takeBack(
  opened: OpenedStack,
  released: ServiceConfig,
  back: ReturnType<typeof configChanges>,
  timeoutMs: number,
  progress: (line: string) => void,
): Promise<NonNullable<ReleaseRun["undo"]>> {
  const { stack } = opened;
  const startedAt = Date.now();
  const config = parseStackConfig(rawConfigFromAll(opened.config));
  const plan = strategyOf(released).rollbackPlan(released, { namespace: config.namespace, stack: stack.name, environment: opened.environment });
  let quick: NonNullable<ReleaseRun["undo"]>["quick"] = null;
  if (plan !== undefined) {
    progress(`${released.name}: traffic back to ${plan.target}: ${plan.quick}`);
    const ran = await shell(plan.quick, timeoutMs);
    quick = { command: plan.quick, ok: ran.ok, seconds: Math.round((Date.now() - startedAt) / 100) / 10, output: ran.output };
  }
  await applyServiceConfig(stack, released.name, back);
  const now = await readConfigValues(stack);
  const update = await runEngine({ ...opened, config: now }, "up", { timeoutMs: Math.max(1, timeoutMs - (Date.now() - startedAt)), progress });
  return { quick, update };
}

export function formatRelease(run: ReleaseRun, formatRun: (run: EngineRun) => string): string {
  const lines = [`release of ${run.service} ${run.version} (${run.strategy}) on stack ${run.stack}: ${run.outcome} in ${run.seconds} s`];
  for (const step of run.steps) lines.push(`  step: ${step.what}`, ...formatRun(step.update).trimEnd().split("\n").map((line) => `    ${line}`));
  if (run.undo !== undefined) {
    const quick = run.undo.quick;
    lines.push(quick === null ? "  taken back by the update alone (no quick command reaches the version before)" : `  traffic back: ${quick.ok ? `${quick.seconds} s` : `failed: ${quick.output}`} (${quick.command})`);
    lines.push(...formatRun(run.undo.update).trimEnd().split("\n").map((line) => `    ${line}`));
  }
  return `${lines.join("\n")}\n`;
}
