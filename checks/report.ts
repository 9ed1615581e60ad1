// What smoke and verify print: one line per check, and for a failure what came back.
import type { CheckResult } from "./check-round";
import type { SmokeOutcome } from "./smoke";
import type { VerifyOutcome } from "./verify";

/** A body quoted on one line, control characters shown, so a report stays one screen. */
const quote = (body: string): string => JSON.stringify(body);

export function formatCheck(result: CheckResult): string {
  const status = result.status === undefined ? "no response" : `status ${result.status}`;
  const head = `${result.ok ? "ok  " : "FAIL"} ${result.check}: ${result.method} ${result.url} -> ${status} in ${result.elapsedMs} ms`;
  if (result.ok) return head;
  const lines = [head, `     ${result.why}`];
  if (result.status !== undefined) lines.push(`     body starts: ${quote(result.bodyStart)}`);
  return lines.join("\n");
}

export function formatSmoke(outcome: SmokeOutcome, deadlineMs: number): string {
  const checks = outcome.round.map(formatCheck);
  const tries = `${outcome.attempts} attempt${outcome.attempts === 1 ? "" : "s"}`;
  if (outcome.ok) return [...checks, `smoke: PASS (${tries}, ${outcome.elapsedMs} ms)`].join("\n");
  const failed = outcome.round.find((result) => !result.ok);
  const ended = outcome.deadlineReached ? `deadline of ${deadlineMs} ms reached` : "gave up";
  return [...checks, `smoke: FAIL: ${failed?.check ?? "a check"} (${ended} after ${tries}, ${outcome.elapsedMs} ms)`].join("\n");
}

export function formatVerify(outcome: VerifyOutcome, errorBudget: number): string {
  const lines = outcome.failedRounds.map((round) => `round ${round.index}: ${formatCheck(round.failed)}`);
  const summary = `${outcome.failedRounds.length} of ${outcome.roundsRun} rounds failed (budget ${errorBudget}; ${outcome.roundsPlanned} planned; ${outcome.elapsedMs} ms)`;
  if (outcome.ok) return [...lines, `verify: PASS: ${summary}`].join("\n");
  const last = outcome.failedRounds[outcome.failedRounds.length - 1];
  return [...lines, `verify: FAIL: ${last?.failed.check ?? "a check"} in round ${last?.index ?? "?"}; ${summary}`].join("\n");
}
