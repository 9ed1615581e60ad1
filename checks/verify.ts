// `verify`: after the switch, the same checks once a round (and, when asked, that the live
// Service's EndpointSlices point only at the new pods), every `every` for `window`, with an
// error budget of rounds that may fail. It fails as soon as the budget is spent, not at the end.
import { setTimeout as sleep } from "node:timers/promises";
import { failedCheck, runRound, type CheckResult, type SmokeSpec } from "./check-round";

export interface VerifyOptions {
  /** Between the starts of two rounds (`--every`, the stack's `checks.verify.everySeconds`). */
  readonly everyMs: number;
  /** How long rounds are started for: rounds = ceil(window / every) (`--for`, `checks.verify.forSeconds`). */
  readonly windowMs: number;
  /** How many rounds may fail before verify fails (`--error-budget`, `checks.verify.errorBudget`). */
  readonly errorBudget: number;
  /** Checks run after the HTTP checks in every round where those passed (the EndpointSlices). @default [] */
  readonly extraChecks?: readonly (() => Promise<CheckResult>)[];
  readonly onRound?: (index: number, round: readonly CheckResult[]) => void;
}

export interface FailedRound {
  /** 1-based. */
  readonly index: number;
  readonly failed: CheckResult;
}

export interface VerifyOutcome {
  readonly ok: boolean;
  readonly roundsRun: number;
  readonly roundsPlanned: number;
  readonly failedRounds: readonly FailedRound[];
  readonly elapsedMs: number;
}

export const plannedRounds = (options: Pick<VerifyOptions, "everyMs" | "windowMs">): number =>
  Math.max(1, Math.ceil(options.windowMs / options.everyMs));

export async function runVerify(spec: SmokeSpec, options: VerifyOptions): Promise<VerifyOutcome> {
  const started = performance.now();
  const roundsPlanned = plannedRounds(options);
  const failedRounds: FailedRound[] = [];
  let roundsRun = 0;
  for (let index = 1; index <= roundsPlanned; index += 1) {
    // Rounds start on a fixed schedule, so a slow round does not stretch the window.
    const startAt = started + (index - 1) * options.everyMs;
    const wait = startAt - performance.now();
    if (wait > 0) await sleep(wait);
    // Each request has its own bound; a slow round delays the next rather than being cut short.
    const round = await runRound(spec);
    for (const extra of options.extraChecks ?? []) {
      if (failedCheck(round) !== undefined) break;
      round.push(await extra());
    }
    roundsRun = index;
    options.onRound?.(index, round);
    const failed = failedCheck(round);
    if (failed !== undefined) failedRounds.push({ index, failed });
    if (failedRounds.length > options.errorBudget) break;
  }
  return {
    ok: failedRounds.length <= options.errorBudget,
    roundsRun,
    roundsPlanned,
    failedRounds,
    elapsedMs: Math.round(performance.now() - started),
  };
}
