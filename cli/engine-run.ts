// One preview or update through the engine, the pack attached, bounded in
// time, with a progress line per step on stderr, and what came of it told
// apart: through, refused by a gate before anything changed, failed, or cut
// at its bound.
import type { EngineEvent, OpType } from "@pulumi/pulumi/automation";
import { EXIT, type ExitCode } from "./exit-codes";
import type { OpenedStack } from "./open-stack";

export type Outcome = "succeeded" | "refused" | "failed" | "timed-out";

export interface PolicyFinding {
  readonly policy: string;
  readonly level: "mandatory" | "advisory";
  readonly message: string;
  /** The resource it is about; absent for a stack policy. */
  readonly urn?: string;
}

export interface EngineRun {
  readonly operation: "preview" | "up";
  readonly stack: string;
  readonly environment: string;
  readonly outcome: Outcome;
  /** Steps by operation (`create`, `update`, `same`...), as the engine counts them. */
  readonly changes: Readonly<Record<string, number>>;
  readonly policy: readonly PolicyFinding[];
  /** The errors the engine and the program reported, first the one that stopped it. */
  readonly errors: readonly string[];
  readonly seconds: number;
}

export interface RunOptions {
  /** Milliseconds the operation may take; then the engine is told to stop (it cancels cleanly). */
  readonly timeoutMs: number;
  /** Where progress lines go. @default stderr */
  readonly progress?: (line: string) => void;
}

/** The production gate's words (checklist/production-gate.ts) and the config parser's (config/load.ts). */
const GATE_REFUSALS = [/Refused before anything was deployed/, /Invalid stack config, nothing was deployed/];

const SHOWN_OPS: ReadonlySet<OpType> = new Set(["create", "update", "delete", "replace", "create-replacement", "delete-replaced"]);

/** `kubernetes:apps/v1:Deployment::user-api-deployment` of a URN: the type and name an operator recognises. */
export function shortUrn(urn: string): string {
  const parts = urn.split("::");
  const type = (parts[2] ?? "").split("$").at(-1) ?? "";
  return `${type} ${parts[3] ?? urn}`;
}

/** The exit code of an outcome (cli/exit-codes.ts). */
export function exitCodeOf(outcome: Outcome): ExitCode {
  return outcome === "succeeded" ? EXIT.ok : outcome === "refused" ? EXIT.refused : outcome === "timed-out" ? EXIT.timedOut : EXIT.failed;
}

/**
 * A preview, or an update after its own preview: the Automation API's `up`
 * skips the preview pass, and that pass is where the pack's stack policies
 * judge the whole plan before anything changes (as `pulumi up` runs it).
 */
export async function runEngine(opened: OpenedStack, operation: "preview" | "up", options: RunOptions): Promise<EngineRun> {
  const started = Date.now();
  const preview = await runOnce(opened, "preview", options);
  if (operation === "preview" || preview.outcome !== "succeeded") return { ...preview, operation };
  const remaining = Math.max(1, options.timeoutMs - (Date.now() - started));
  const update = await runOnce(opened, "up", { ...options, timeoutMs: remaining });
  return { ...update, seconds: Math.round((Date.now() - started) / 100) / 10 };
}

async function runOnce(opened: OpenedStack, operation: "preview" | "up", options: RunOptions): Promise<EngineRun> {
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  progress(`${operation === "preview" ? "previewing" : "updating"} stack ${opened.stack.name} with the policy pack (policy/config/${opened.environment}.json)`);
  const policy: PolicyFinding[] = [];
  const errors: string[] = [];
  const started = Date.now();
  const onEvent = (event: EngineEvent): void => {
    if (event.policyEvent !== undefined) {
      const p = event.policyEvent;
      policy.push({ policy: p.policyName, level: p.enforcementLevel === "mandatory" ? "mandatory" : "advisory", message: p.message.trim(), ...(p.resourceUrn === undefined ? {} : { urn: p.resourceUrn }) });
    }
    if (event.diagnosticEvent?.severity === "error") errors.push(event.diagnosticEvent.message.trim());
    const pre = event.resourcePreEvent?.metadata;
    if (pre !== undefined && SHOWN_OPS.has(pre.op)) progress(`  ${operation === "preview" ? "would " : ""}${pre.op} ${shortUrn(pre.urn)}`);
    const done = event.resOutputsEvent?.metadata;
    if (done !== undefined && SHOWN_OPS.has(done.op) && operation === "up") progress(`  done ${done.op} ${shortUrn(done.urn)} (${Math.round((Date.now() - started) / 1000)} s)`);
  };
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs);
  let changes: Record<string, number> = {};
  let failed = false;
  try {
    const common = { ...opened.policy, onEvent, signal: abort.signal, color: "never" as const };
    if (operation === "preview") {
      changes = { ...(await opened.stack.preview(common)).changeSummary };
    } else {
      changes = { ...(await opened.stack.up(common)).summary.resourceChanges };
    }
  } catch (error) {
    failed = true;
    if (errors.length === 0) errors.push(error instanceof Error ? error.message.trim() : String(error));
  } finally {
    clearTimeout(timer);
  }
  const refusedByGate = errors.some((message) => GATE_REFUSALS.some((pattern) => pattern.test(message)));
  const refusedByPack = policy.some((finding) => finding.level === "mandatory");
  const outcome: Outcome = !failed ? "succeeded" : abort.signal.aborted ? "timed-out" : refusedByGate || refusedByPack ? "refused" : "failed";
  return { operation, stack: opened.stack.name, environment: opened.environment, outcome, changes, policy, errors, seconds: Math.round((Date.now() - started) / 100) / 10 };
}
