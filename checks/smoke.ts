// `smoke`: the checks until they all pass, retried with backoff while the target comes up,
// never past the overall deadline.
import { failedCheck, runRound, type CheckResult, type SmokeSpec } from "./check-round";

/** The waits between attempts: the first, doubling up to the longest. */
export const SMOKE_BACKOFF = { firstDelayMs: 500, maxDelayMs: 5000 } as const;

export interface SmokeOptions {
  /** The overall bound, from the first request to the verdict (`--deadline`, the stack's `checks.smoke.deadlineSeconds`). */
  readonly deadlineMs: number;
  /** The first wait between attempts; each next one doubles. @default SMOKE_BACKOFF.firstDelayMs (500) */
  readonly firstDelayMs?: number;
  /** The longest wait between attempts. @default SMOKE_BACKOFF.maxDelayMs (5000) */
  readonly maxDelayMs?: number;
  /** Told of each failed attempt (for progress lines). */
  readonly onFailedAttempt?: (attempt: number, round: readonly CheckResult[], retryInMs: number) => void;
}

export interface SmokeOutcome {
  readonly ok: boolean;
  readonly attempts: number;
  /** The last round: all passed, or up to and including the check that failed. */
  readonly round: readonly CheckResult[];
  readonly elapsedMs: number;
  /** Whether the deadline, rather than a passing round, ended it. */
  readonly deadlineReached: boolean;
}

/** Carries a failed round through p-retry to the verdict. */
class RoundFailed extends Error {
  constructor(readonly round: readonly CheckResult[]) {
    super(`check '${failedCheck(round)?.check ?? "?"}' failed`);
  }
}

/**
 * Of the failed rounds of one smoke test (oldest first), the one whose failure says what the
 * target did: the last whose failing check got its usual time bound (`connection refused`, a 503,
 * a wrong version); else the one whose failing check waited longest for an answer cut by the
 * deadline (`no response within 790 ms`, not `within 1 ms`). A round whose check never started
 * is the deadline's bookkeeping, not the target's answer: it is chosen only when no check ran.
 */
export function roundToReport(failedRounds: readonly (readonly CheckResult[])[]): readonly CheckResult[] | undefined {
  let answered: readonly CheckResult[] | undefined;
  let longestCut: readonly CheckResult[] | undefined;
  for (const round of failedRounds) {
    const failed = failedCheck(round);
    if (failed === undefined) continue;
    if (!failed.cutByDeadline) answered = round;
    else if (longestCut === undefined || failed.elapsedMs >= (failedCheck(longestCut)?.elapsedMs ?? 0)) longestCut = round;
  }
  return answered ?? longestCut ?? failedRounds.at(-1);
}

export async function runSmoke(spec: SmokeSpec, options: SmokeOptions): Promise<SmokeOutcome> {
  // p-retry is ESM only; this file is compiled as CommonJS, which reaches ESM by dynamic import.
  // Loaded before the clock starts: the deadline is the target's time, not the module loader's.
  const { default: pRetry, AbortError } = await import("p-retry");
  const started = performance.now();
  const deadline = started + options.deadlineMs;
  const failedRounds: (readonly CheckResult[])[] = [];
  try {
    const round = await pRetry(
      async () => {
        // p-retry keeps its own clock, started a moment after ours: it can grant one more attempt
        // after our deadline, whose round could send no request. That attempt ends the test here.
        if (failedRounds.length > 0 && performance.now() >= deadline) throw new AbortError(new RoundFailed(failedRounds.at(-1) ?? []));
        const result = await runRound(spec, deadline);
        if (failedCheck(result) === undefined) return result;
        failedRounds.push(result);
        throw new RoundFailed(result);
      },
      {
        retries: Number.POSITIVE_INFINITY,
        factor: 2,
        minTimeout: options.firstDelayMs ?? SMOKE_BACKOFF.firstDelayMs,
        maxTimeout: options.maxDelayMs ?? SMOKE_BACKOFF.maxDelayMs,
        // p-retry stops retrying at this bound and shortens the last wait to fit inside it.
        maxRetryTime: options.deadlineMs,
        onFailedAttempt: ({ error, attemptNumber, retryDelay }) => {
          if (error instanceof RoundFailed) options.onFailedAttempt?.(attemptNumber, error.round, retryDelay);
        },
      },
    );
    return { ok: true, attempts: failedRounds.length + 1, round, elapsedMs: Math.round(performance.now() - started), deadlineReached: false };
  } catch (error) {
    if (!(error instanceof RoundFailed)) throw error;
    return {
      ok: false,
      attempts: failedRounds.length,
      round: roundToReport(failedRounds) ?? error.round,
      elapsedMs: Math.round(performance.now() - started),
      deadlineReached: performance.now() >= deadline - 1,
    };
  }
}
