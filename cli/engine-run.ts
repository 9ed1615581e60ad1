// One preview or update through the engine, the pack attached, bounded in
// time, with a progress line per step on stderr, and what came of it told
// apart: through, refused by a gate before anything changed, failed, or cut
// at its bound.
import { ConcurrentUpdateError, type EngineEvent, type OpType } from "@pulumi/pulumi/automation";
import { EXIT, type ExitCode } from "./exit-codes";
import { checklistSummary, type ChecklistSummary } from "./checklist-summary";
import type { Known } from "./known";
import { PROJECT_NAME, type OpenedStack } from "./open-stack";
import { backendUrlOf, lockAdvice, readStackLocks } from "./stack-locks";

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
  /** Each step that changes something, in the order the engine began them: `{ op: "update", resource: "kubernetes:apps/v1:Deployment user-api-workload-deployment" }`. */
  readonly steps: readonly { readonly op: string; readonly resource: string }[];
  readonly policy: readonly PolicyFinding[];
  /** The errors the engine and the program reported, first the one that stopped it. */
  readonly errors: readonly string[];
  /** What the program warned of: production's gate in a preview ("`pulumi up` would be refused..."), advisory rules, config warnings. */
  readonly warnings: readonly string[];
  /** After an update: the checklist it recorded, per service it judged. */
  readonly checklist?: Known<ChecklistSummary>;
  readonly seconds: number;
}

export interface RunOptions {
  /** Milliseconds the operation may take; then the engine is told to stop (it cancels cleanly). */
  readonly timeoutMs: number;
  /** Where progress lines go. @default stderr */
  readonly progress?: (line: string) => void;
  /** The update's message in the stack history. */
  readonly message?: string;
  /** After an update that went through, read the checklist it recorded (one more CLI call). @default false */
  readonly readChecklist?: boolean;
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
  if (operation === "up") {
    // Refused at once, naming the holder, instead of after a whole preview (a preview takes no lock).
    // Where the backend cannot be named or read, the engine's own refusal (ConcurrentUpdateError, below) remains.
    const backend = await backendUrlOf(opened.stack).catch(() => undefined);
    const locks = backend === undefined ? undefined : await readStackLocks(backend, PROJECT_NAME, opened.stack.name, Math.min(options.timeoutMs, 30_000));
    if (locks?.known === true && locks.value.length > 0) {
      const errors = locks.value.map((lock) => `stack ${opened.stack.name} is ${lockAdvice(opened.stack.name, lock)}`);
      return { operation, stack: opened.stack.name, environment: opened.environment, outcome: "refused", changes: {}, steps: [], policy: [], errors, warnings: [], seconds: Math.round((Date.now() - started) / 100) / 10 };
    }
  }
  const preview = await runOnce(opened, "preview", options);
  if (operation === "preview" || preview.outcome !== "succeeded") return { ...preview, operation };
  const remaining = Math.max(1, options.timeoutMs - (Date.now() - started));
  const update = await runOnce(opened, "up", { ...options, timeoutMs: remaining });
  // The checklist this update was judged by, from its outputs (one more CLI call, only after an update went through).
  const checklist = update.outcome === "succeeded" && options.readChecklist === true ? checklistSummary((await opened.stack.outputs())["checklist"]?.value, opened.stack.name) : undefined;
  return { ...update, ...(checklist === undefined ? {} : { checklist }), seconds: Math.round((Date.now() - started) / 100) / 10 };
}

async function runOnce(opened: OpenedStack, operation: "preview" | "up", options: RunOptions): Promise<EngineRun> {
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  progress(`${operation === "preview" ? "previewing" : "updating"} stack ${opened.stack.name} with the policy pack (policy/config/${opened.environment}.json)`);
  const policy: PolicyFinding[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];
  const steps: { op: string; resource: string }[] = [];
  const started = Date.now();
  const onEvent = (event: EngineEvent): void => {
    if (event.policyEvent !== undefined) {
      const p = event.policyEvent;
      policy.push({ policy: p.policyName, level: p.enforcementLevel === "mandatory" ? "mandatory" : "advisory", message: p.message.trim(), ...(p.resourceUrn === undefined ? {} : { urn: p.resourceUrn }) });
    }
    const diagnostic = event.diagnosticEvent;
    if (diagnostic?.severity === "error") {
      // Which step failed (the verify step, a Deployment...): the message alone may be all "[secret]".
      const about = diagnostic.urn === undefined || diagnostic.urn.includes("::pulumi:pulumi:Stack::") ? "" : `${shortUrn(diagnostic.urn)}: `;
      errors.push(`${about}${diagnostic.message.trim()}`);
    }
    // The program's own warnings come on the stack; the engine's and the plugins' are its business.
    if (diagnostic?.severity === "warning" && diagnostic.urn?.includes("::pulumi:pulumi:Stack::") === true) warnings.push(diagnostic.message.trim());
    const pre = event.resourcePreEvent?.metadata;
    if (pre !== undefined && SHOWN_OPS.has(pre.op)) {
      steps.push({ op: pre.op, resource: shortUrn(pre.urn) });
      progress(`  ${operation === "preview" ? "would " : ""}${pre.op} ${shortUrn(pre.urn)}`);
    }
    const done = event.resOutputsEvent?.metadata;
    if (done !== undefined && SHOWN_OPS.has(done.op) && operation === "up") progress(`  done ${done.op} ${shortUrn(done.urn)} (${Math.round((Date.now() - started) / 1000)} s)`);
  };
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs);
  let changes: Record<string, number> = {};
  let failed = false;
  let caught: unknown;
  try {
    const common = { ...opened.policy, onEvent, signal: abort.signal, color: "never" as const, ...(options.message === undefined ? {} : { message: options.message }) };
    if (operation === "preview") {
      changes = { ...(await opened.stack.preview(common)).changeSummary };
    } else {
      changes = { ...(await opened.stack.up(common)).summary.resourceChanges };
    }
  } catch (error) {
    failed = true;
    caught = error;
    if (error instanceof ConcurrentUpdateError) errors.unshift(`stack ${opened.stack.name} is locked by another update: ${error.message.trim().split("\n").at(-1)?.trim() ?? ""}`);
    if (errors.length === 0) errors.push(error instanceof Error ? error.message.trim() : String(error));
  } finally {
    clearTimeout(timer);
  }
  const refusedByGate = errors.some((message) => GATE_REFUSALS.some((pattern) => pattern.test(message)));
  const refusedByPack = policy.some((finding) => finding.level === "mandatory");
  // Another update took the lock after the check above: the engine refused before changing anything.
  const refusedByLock = caught instanceof ConcurrentUpdateError;
  const outcome: Outcome = !failed ? "succeeded" : abort.signal.aborted ? "timed-out" : refusedByGate || refusedByPack || refusedByLock ? "refused" : "failed";
  return { operation, stack: opened.stack.name, environment: opened.environment, outcome, changes, steps, policy, errors, warnings, seconds: Math.round((Date.now() - started) / 100) / 10 };
}
