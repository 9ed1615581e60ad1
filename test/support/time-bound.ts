// How the tests assert that a time bound held, on a loaded 2-core machine: the bound's own
// behaviour (it gave up at the bound, not before it) exactly, and the lateness a busy machine
// adds (timers firing late, an event loop behind, a GC pause) with a slack far below what a
// missing bound costs: a hang until the test's own timeout.
import { expect } from "vitest";

/** What a busy machine may add to a bound. Measured lateness under load is tens to hundreds of ms. */
export const LOADED_MACHINE_SLACK_MS = 3000;

/** Timers never fire early by more than the event loop's millisecond rounding. */
const TIMER_EARLY_MS = 10;

export interface BoundOptions {
  /** The bound ended the wait (the source hung), so it must not have ended before it. @default false */
  readonly waitedForIt?: boolean;
  /** Work outside the bound that the measurement includes (a process start), in ms. @default 0 */
  readonly besidesMs?: number;
}

/** `elapsedMs` respected `boundMs`: never past it by more than a loaded machine's lateness. */
export function expectWithinBound(elapsedMs: number, boundMs: number, options: BoundOptions = {}): void {
  if (options.waitedForIt === true) expect(elapsedMs, `gave up before its ${boundMs} ms bound`).toBeGreaterThanOrEqual(boundMs - TIMER_EARLY_MS);
  expect(elapsedMs, `overran its ${boundMs} ms bound`).toBeLessThan(boundMs + (options.besidesMs ?? 0) + LOADED_MACHINE_SLACK_MS);
}
