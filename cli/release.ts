// `safe-deploy release SERVICE VERSION`: the strategy's release steps, each
// an ordinary update the pack judges (so each is an entry of `pulumi stack
// history`), and between a canary's steps the canary analysis from
// Prometheus until it decides: pass goes on, fail aborts, undecided at the
// step's bound holds the release for a person (`promote`, `abort`, or the
// same command again). When an update fails after traffic may have moved (its
// smoke test, the switch, its verify window), or the analysis fails, the
// release is taken back at once (cli/take-back.ts: traffic first).
// A release the pack or a gate refuses changed nothing by that step: its
// config is put back and it exits as refused.
// Run again after an interruption, the command reads where the stack config
// says the release had reached and goes on from there (a canary is judged
// again at its share before it grows); a canary users were taken off is not
// put back in front of them unless the operator says so with --again.
import * as fs from "node:fs";
import { z } from "zod";
import { parseStackConfig, rawConfigFromAll } from "../config/load";
import { formatUpdateMessage, type UpdateMessage } from "../lib/update-messages";
import type { ReleasePlan, ReleaseStep } from "../strategies/strategy";
import { strategyOf, type ServiceConfig } from "../strategies/registry";
import { judgeCanary, type CanaryJudgement } from "./canary-judge";
import { exitCodeOf, runEngine, type EngineRun, type Outcome } from "./engine-run";
import { EXIT, type ExitCode } from "./exit-codes";
import { CommandInputError, readConfigValues, type OpenedStack } from "./open-stack";
import { releaseNotifier } from "./release-notices";
import { applyServiceConfig, changesOf, configChanges, serviceRaw } from "./rollback-target";
import { formatQuick, takeBack, type TakeBack } from "./take-back";

/** `aborted`: the canary analysis failed and the canary was taken out; `held`: it could not decide in time. */
export type ReleaseOutcome = Outcome | "rolled-back" | "aborted" | "held";

export interface ReleaseStepRun {
  readonly what: string;
  readonly update: EngineRun;
  /** The canary analysis after the update, when the step has one and its update went through. */
  readonly analysis?: CanaryJudgement;
}

export interface ReleaseRun {
  readonly service: string;
  readonly stack: string;
  readonly version: string;
  readonly strategy: string;
  readonly outcome: ReleaseOutcome;
  /** Why it ended as it did, in words, when it did not succeed. */
  readonly why?: string;
  /** The operator's reason to release again a version taken back (--again), as the updates' messages record it. */
  readonly again?: string;
  readonly steps: readonly ReleaseStepRun[];
  /** The way back after a failed step or a failed analysis: the quick command, then the update. */
  readonly undo?: TakeBack;
  readonly seconds: number;
}

export interface ReleaseOptions {
  readonly timeoutMs: number;
  readonly progress?: (line: string) => void;
  /** Release a version that was taken back, for this reason (recorded in every update's message). */
  readonly again?: string;
}

export function serviceSpec(config: Readonly<Record<string, string>>, stack: string, service: string): ServiceConfig {
  const spec = parseStackConfig(rawConfigFromAll(config)).services.find((s) => s.name === service);
  if (spec === undefined) throw new CommandInputError(`stack ${stack} has no service '${service}' under safe-deploy:services`);
  return spec;
}

/** The runbook's canary shares, as the pack's enforce-canary-steps judges them in this environment (10, 30, 50, 100 unless configured). */
export function releasePlan(opened: OpenedStack): ReleasePlan {
  const file = opened.policy.policyPackConfigs[0];
  const parsed = packConfigSchema.safeParse(file === undefined ? {} : JSON.parse(fs.readFileSync(file, "utf8")));
  return { canarySteps: (parsed.success ? parsed.data["enforce-canary-steps"]?.steps : undefined) ?? [10, 30, 50, 100] };
}

const packConfigSchema = z.looseObject({ "enforce-canary-steps": z.looseObject({ steps: z.array(z.number()).optional() }).optional() });

export async function releaseService(opened: OpenedStack, service: string, version: string, options: ReleaseOptions): Promise<ReleaseRun> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const remaining = () => Math.max(1, deadline - Date.now());
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  const { stack } = opened;
  const spec = serviceSpec(opened.config, stack.name, service);
  const strategy = strategyOf(spec);
  const refusal = strategy.releaseRefusal(spec, version);
  if (refusal !== undefined && options.again === undefined) throw new CommandInputError(refusal);
  const planned = strategy.releaseSteps(spec, version, releasePlan(opened));
  const before = serviceRaw(opened.config, service);
  const again = options.again;
  const base = { service, stack: stack.name, version, strategy: spec.strategy, ...(again === undefined ? {} : { again }) };
  const steps: ReleaseStepRun[] = [];
  const notify = releaseNotifier(opened, service, version, progress);
  const message = (what: string, more: Pick<UpdateMessage, "passed" | "takenBack"> = {}) =>
    formatUpdateMessage({ command: "release", service, version, what, ...more, ...(again === undefined ? {} : { again }) });

  // No step left (a rerun after an interrupted or failed release, or the version already out): the update
  // alone converges, and changes nothing when the release went out.
  const converge: ReleaseStep = { what: `${service} ${version} is in the stack config already: bring the cluster into agreement`, set: {} };
  const toRun = planned.length === 0 ? [converge] : planned;
  if (planned.length > 0) await notify("start", { step: planned.map((step) => step.what).join("; then ") });
  let config = opened.config;
  /** The analysis' pass of the share before, for the next update's message: what `safe-deploy report` reads back. */
  let passed: string | undefined;
  for (const step of toRun) {
    progress(`${service}: ${step.what}`);
    if (toRun.length > 1) await notify("step", { step: step.what });
    const beforeStep = serviceRaw(config, service);
    await applyServiceConfig(stack, service, changesOf(step));
    config = await readConfigValues(stack);
    const released = serviceSpec(config, stack.name, service);
    const update = await runEngine({ ...opened, config }, "up", { timeoutMs: remaining(), progress, readChecklist: true, message: message(step.what, passed === undefined ? {} : { passed }) });
    if (update.outcome !== "succeeded") steps.push({ what: step.what, update });
    if (update.outcome === "refused") {
      // Nothing was deployed by this step: the config goes back so the stack file says what runs.
      await applyServiceConfig(stack, service, configChanges(serviceRaw(config, service), beforeStep));
      return { ...base, outcome: "refused", why: update.errors[0] ?? "refused", steps, seconds: seconds() };
    }
    // A rerun's update (no step of its own) has no config from before the release to go back to, and one cut at
    // its bound has no time left: both say what happened and leave the way back to the operator (safe-deploy rollback).
    if (update.outcome !== "succeeded" && (planned.length === 0 || update.outcome !== "failed")) {
      await notify("failure", { reason: `${step.what}: ${update.errors[0] ?? update.outcome}` });
      return { ...base, outcome: update.outcome, why: update.errors[0] ?? update.outcome, steps, seconds: seconds() };
    }
    if (update.outcome === "failed") {
      const why = `${step.what}: ${update.errors[0] ?? "failed"}`;
      progress(`${service}: the release failed (${why}); taking it back`);
      await notify("failure", { reason: why });
      return await undo("rolled-back", why, released);
    }
    if (step.analysis === undefined) {
      steps.push({ what: step.what, update });
      continue;
    }
    progress(`${service}: the canary analysis judges ${step.what} (a look every ${step.analysis.intervalSeconds} s, Prometheus ${step.analysis.prometheusUrl})`);
    const analysis = await judgeCanary({ service, namespace: parseStackConfig(rawConfigFromAll(config)).namespace, analysis: step.analysis, deadlineMs: deadline, progress });
    steps.push({ what: step.what, update, analysis });
    passed = `the canary analysis passed ${step.what} after ${Math.round(analysis.end - analysis.start)} s`;
    if (analysis.decision === "fail") {
      const why = `the canary analysis failed ${version}: ${analysis.last.reasons.join("; ")}`;
      progress(`${service}: ${why}; aborting`);
      return await undo("aborted", why, released);
    }
    if (analysis.decision === "inconclusive") {
      const why = `the canary analysis could not decide within the step's bound: ${analysis.last.reasons.join("; ")}`;
      await notify("held", { reason: why, step: step.what });
      return { ...base, outcome: "held", why, steps, seconds: seconds() };
    }
  }
  if (planned.length > 0) await notify("success");
  return { ...base, outcome: "succeeded", steps, seconds: seconds() };

  /** Traffic back, then the config from before the release with what marks the version as taken back, and its update. */
  async function undo(outcome: "rolled-back" | "aborted", why: string, released: ServiceConfig): Promise<ReleaseRun> {
    const target = { ...(before as Record<string, unknown>), ...strategy.takenBackKeys(version) };
    const back = configChanges(serviceRaw(config, service), target);
    const undone = await takeBack(opened, released, back, { timeoutMs: remaining(), progress, message: message(why, { takenBack: outcome }) });
    const rollbackTo = strategy.releaseVersions(serviceSpec(await readConfigValues(stack), stack.name, service)).version;
    await notify(outcome === "aborted" ? "aborted" : "rollback", { reason: why, rollbackTo });
    const ok = undone.update.outcome === "succeeded";
    return { ...base, outcome: ok ? outcome : "failed", why: ok ? why : `${why}; the take-back's update: ${undone.update.errors[0] ?? undone.update.outcome}`, steps, undo: undone, seconds: seconds() };
  }
}

export function formatRelease(run: ReleaseRun, formatRun: (run: EngineRun) => string): string {
  const lines = [`release of ${run.service} ${run.version} (${run.strategy}) on stack ${run.stack}: ${run.outcome} in ${run.seconds} s`];
  if (run.why !== undefined) lines.push(`  why: ${run.why.split("\n").join("\n    ")}`);
  if (run.again !== undefined) lines.push(`  released again, as asked: ${run.again}`);
  for (const step of run.steps) {
    lines.push(`  step: ${step.what}`, ...indent(formatRun(step.update), 4));
    const analysis = step.analysis;
    if (analysis !== undefined) {
      lines.push(`    canary analysis: ${analysis.decision} after ${Math.round(analysis.end - analysis.start)} s, ${analysis.looks.length} looks`, ...analysis.last.reasons.map((reason) => `      - ${reason}`));
    }
  }
  if (run.undo !== undefined) {
    const quick = run.undo.quick;
    lines.push(quick === null ? "  taken back by the update alone (no quick command reaches the version before)" : `  ${formatQuick(quick)}`);
    lines.push(...indent(formatRun(run.undo.update), 4));
  }
  if (run.outcome === "held") {
    lines.push(
      `  the canary keeps its share; next: the same command again (judged again, then on), promote ${run.service} (by hand), or abort ${run.service}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

const indent = (text: string, by: number) => text.trimEnd().split("\n").map((line) => `${" ".repeat(by)}${line}`);

/** A release's exit code: taken back (rolled back, or aborted by the analysis) 3, held 4, the rest as any update's. */
export function releaseExitCode(outcome: ReleaseOutcome): ExitCode {
  return outcome === "rolled-back" || outcome === "aborted" ? EXIT.rolledBack : outcome === "held" ? EXIT.held : exitCodeOf(outcome);
}
