// `safe-deploy resume`: one command back after a hard kill (the engine
// SIGKILLed mid-update, a CI runner gone). The kill leaves the stack locked
// and operations pending; plain Pulumi then needs `pulumi cancel`, an import
// and a replacement (shared/TOOLCHAIN.md, "What an interrupted update leaves
// behind"). Here: a lock is broken only when its holder is known to be gone,
// the pending operations are dropped from the state, and the update runs
// again with the provider allowed to adopt what the killed update created,
// so nothing is deleted and created again and nothing that serves is replaced.
import { runEngine, type EngineRun, type Outcome } from "./engine-run";
import type { OpenedStack } from "./open-stack";
import { PROJECT_NAME } from "./open-stack";
import { clearPendingOperations, describePending } from "./pending-operations";
import { backendUrlOf, describeLock, readStackLocks, type StackLock } from "./stack-locks";

/** The provider's `upsertExistingObjects` in its environment form (pulumi-kubernetes 4.29 and later). */
export const UPSERT_EXISTING_OBJECTS = "PULUMI_K8S_UPSERT_EXISTING_OBJECTS";

export interface ResumeOptions {
  readonly timeoutMs: number;
  /** Hosts the operator says are gone (a CI runner, a closed laptop): their locks may be broken, though their pids cannot be looked up from here. */
  readonly holderGone?: readonly string[];
  readonly progress?: (line: string) => void;
}

export interface ResumeRun {
  readonly stack: string;
  readonly environment: string;
  readonly outcome: Outcome;
  /** Why nothing was changed, when refused. */
  readonly refusal?: string;
  /** The locks found, each with whether its holder runs. */
  readonly locks: readonly StackLock[];
  readonly brokeLocks: boolean;
  /** The pending operations dropped from the state, as `creating Deployment user-api`. */
  readonly cleared: readonly string[];
  /** The update that brought the stack and the cluster into agreement; null when there was nothing to resume. */
  readonly update: EngineRun | null;
  readonly seconds: number;
}

/** Why the locks may not be broken, or undefined when every holder is gone. */
function lockRefusal(stack: string, locks: readonly StackLock[], holderGone: readonly string[]): string | undefined {
  const alive = locks.filter((lock) => lock.holder === "alive");
  if (alive.length > 0) {
    return `stack ${stack} is locked by ${alive.map(describeLock).join(", ")}, and that process still runs: let it finish (a lock whose holder runs is never broken)`;
  }
  const elsewhere = locks.filter((lock) => lock.holder === "unknown" && !holderGone.includes(lock.host));
  if (elsewhere.length > 0) {
    const hosts = [...new Set(elsewhere.map((lock) => lock.host))];
    return (
      `stack ${stack} is locked by ${elsewhere.map(describeLock).join(", ")}, on another host: whether it still runs cannot be seen from here. ` +
      `If that host or CI runner is gone, say so: safe-deploy resume --stack ${stack} --holder-gone ${hosts.join(" --holder-gone ")}`
    );
  }
  return undefined;
}

export async function resumeStack(opened: OpenedStack, options: ResumeOptions): Promise<ResumeRun> {
  const started = Date.now();
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { stack } = opened;
  const seconds = (): number => Math.round((Date.now() - started) / 100) / 10;
  const base = { stack: stack.name, environment: opened.environment };
  const refuse = (refusal: string, locks: readonly StackLock[] = []): ResumeRun => ({
    ...base, outcome: "refused", refusal, locks, brokeLocks: false, cleared: [], update: null, seconds: seconds(),
  });

  const locks = await readStackLocks(await backendUrlOf(stack), PROJECT_NAME, stack.name, Math.min(options.timeoutMs, 30_000));
  if (!locks.known) return refuse(`cannot tell who holds stack ${stack.name}: ${locks.reason}; nothing was changed`);
  const refusal = lockRefusal(stack.name, locks.value, options.holderGone ?? []);
  if (refusal !== undefined) return refuse(refusal, locks.value);

  for (const lock of locks.value) progress(`breaking the lock of ${describeLock(lock)}: its holder is ${lock.holder === "gone" ? "gone" : "gone, as you said"}`);
  if (locks.value.length > 0) await stack.cancel();
  // One read of the state: it says whether anything is pending, and drops it when so.
  const cleared = (await clearPendingOperations(stack)).map(describePending);
  if (locks.value.length === 0 && cleared.length === 0) {
    return { ...base, outcome: "succeeded", locks: [], brokeLocks: false, cleared: [], update: null, seconds: seconds() };
  }
  for (const op of cleared) progress(`dropped the pending operation ${op}; the update plans it again`);

  const held = locks.value.map(describeLock).join(", ");
  stack.workspace.envVars[UPSERT_EXISTING_OBJECTS] = "true";
  let update: EngineRun;
  try {
    update = await runEngine(opened, "up", {
      timeoutMs: Math.max(1, options.timeoutMs - (Date.now() - started)),
      progress,
      message: `safe-deploy resume${held === "" ? "" : ` after the update of ${held}`}: ${cleared.length} pending operation(s) planned again, objects adopted in place`,
    });
  } finally {
    delete stack.workspace.envVars[UPSERT_EXISTING_OBJECTS];
  }
  return { ...base, outcome: update.outcome, locks: locks.value, brokeLocks: locks.value.length > 0, cleared, update, seconds: seconds() };
}

export function formatResume(run: ResumeRun, formatRun: (run: EngineRun) => string): string {
  if (run.refusal !== undefined) return `resume of stack ${run.stack}: refused, nothing changed: ${run.refusal}\n`;
  if (run.update === null) return `resume of stack ${run.stack}: nothing to resume: it is not locked and no operation is pending\n`;
  const lines = [
    `resume of stack ${run.stack} (${run.environment}): ${run.outcome} in ${run.seconds} s`,
    ...run.locks.map((lock) => `  broke the lock of ${describeLock(lock)}`),
    ...run.cleared.map((op) => `  planned again: ${op}`),
  ];
  return `${lines.join("\n")}\n${formatRun(run.update)}`;
}
