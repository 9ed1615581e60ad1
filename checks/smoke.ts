// `smoke`: the checks until they all pass, retried with backoff while the target comes up,
// never past the overall deadline.
import { failedCheck, runRound, type CheckResult, type SmokeSpec } from "./check-round";

export interface SmokeOptions {
  /** The overall bound, from the first request to the verdict. @default 120000 */
  readonly deadlineMs: number;
  /** The first wait between attempts; each next one doubles. @default 500 */
  readonly firstDelayMs?: number;
  /** The longest wait between attempts. @default 5000 */
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

export async function runSmoke(spec: SmokeSpec, options: SmokeOptions): Promise<SmokeOutcome> {
  // p-retry is ESM only; this file is compiled as CommonJS, which reaches ESM by dynamic import.
  const { default: pRetry } = await import("p-retry");
  const started = performance.now();
  const deadline = started + options.deadlineMs;
  let attempts = 0;
  // The last round not cut short by the deadline: what the target really answered, which the
  // report shows rather than "no response within 3 ms".
  let lastAnswered: readonly CheckResult[] | undefined;
  try {
    const round = await pRetry(
      async () => {
        attempts += 1;
        const result = await runRound(spec, deadline);
        const failed = failedCheck(result);
        if (failed === undefined) return result;
        if (!failed.cutByDeadline) lastAnswered = result;
        throw new RoundFailed(result);
      },
      {
        retries: Number.POSITIVE_INFINITY,
        factor: 2,
        minTimeout: options.firstDelayMs ?? 500,
        maxTimeout: options.maxDelayMs ?? 5000,
        // p-retry stops retrying at this bound and shortens the last wait to fit inside it.
        maxRetryTime: options.deadlineMs,
        onFailedAttempt: ({ error, attemptNumber, retryDelay }) => {
          if (error instanceof RoundFailed) options.onFailedAttempt?.(attemptNumber, error.round, retryDelay);
        },
      },
    );
    return { ok: true, attempts, round, elapsedMs: Math.round(performance.now() - started), deadlineReached: false };
  } catch (error) {
    if (!(error instanceof RoundFailed)) throw error;
    return {
      ok: false,
      attempts,
      round: lastAnswered ?? error.round,
      elapsedMs: Math.round(performance.now() - started),
      deadlineReached: performance.now() >= deadline - 1,
    };
  }
}
