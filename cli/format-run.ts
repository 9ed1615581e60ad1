// A preview or an update in an operator's words: the outcome, the changes,
// then each warning, policy finding, the checklist it was judged by, and the
// errors that stopped it.
import { formatChecklist } from "./checklist-summary";
import type { EngineRun } from "./engine-run";

export function formatRun(run: EngineRun): string {
  // `read`: the program reads its own last outputs on every pass; that changes nothing.
  const changes = Object.entries(run.changes).filter(([op]) => op !== "same" && op !== "read").map(([op, count]) => `${count} to ${op}`);
  const lines = [
    `${run.operation} of stack ${run.stack} (${run.environment}): ${run.outcome} in ${run.seconds} s${changes.length === 0 ? ", no changes" : `: ${changes.join(", ")}`}`,
  ];
  const indented = (text: string) => text.split("\n").join("\n    ");
  for (const warning of run.warnings) lines.push(`  warning: ${indented(warning)}`);
  for (const finding of run.policy) lines.push(`  policy ${finding.policy} (${finding.level}): ${indented(finding.message)}`);
  if (run.checklist !== undefined) lines.push(...formatChecklist(run.checklist));
  // The engine's own closing words ("preview failed") say nothing the outcome does not.
  for (const error of run.outcome === "succeeded" ? [] : run.errors.filter((e) => !/^(preview|update) failed$/.test(e))) lines.push(`  error: ${indented(error)}`);
  return `${lines.join("\n")}\n`;
}
