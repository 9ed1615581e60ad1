// The pre-deployment checklist an update was judged by, in an operator's
// words: which items did not pass, and who waived them.
import type { RecordedChecklist } from "../checklist/recorded-checklist";
import { readOutput } from "../lib/stack-outputs";
import type { Known } from "./known";

type Items = RecordedChecklist["release"]["items"];

/** `artifacts-present unknown (waived by ana)` for each item that did not pass. */
export function itemsNotPassed(items: Items): string[] {
  return Object.entries(items)
    .filter(([, item]) => item.status !== "pass")
    .map(([item, result]) => `${item} ${result.status}${result.waived === undefined ? "" : ` (waived by ${result.waived.by})`}`);
}

export interface ChecklistSummary {
  readonly gatheredAt: string;
  /** Release-wide items (window, CI, incident...) that did not pass. */
  readonly notPassed: readonly string[];
  /** Each service the update judged (its checklist gathered by this update), with its items that did not pass. */
  readonly services: readonly { readonly name: string; readonly version: string; readonly notPassed: readonly string[] }[];
}

/** The checklist the last update recorded (its `checklist` output), read through the outputs' contract. */
export function checklistSummary(output: unknown, stack: string): Known<ChecklistSummary> {
  const read = readOutput("checklist", output, stack);
  if (!read.known) return read;
  const { release, services } = read.value;
  return {
    known: true,
    value: {
      gatheredAt: release.gatheredAt,
      notPassed: itemsNotPassed(release.items),
      services: Object.entries(services)
        .filter(([, service]) => service.gatheredAt === release.gatheredAt)
        .map(([name, service]) => ({ name, version: service.version, notPassed: itemsNotPassed(service.items) })),
    },
  };
}

export function formatChecklist(summary: Known<ChecklistSummary>): string[] {
  if (!summary.known) return [`  checklist: unknown: ${summary.reason}`];
  const words = (notPassed: readonly string[]) => (notPassed.length === 0 ? "every item passed" : `not passed: ${notPassed.join(", ")}`);
  return [
    `  checklist gathered at ${summary.value.gatheredAt}: ${words(summary.value.notPassed)}`,
    ...summary.value.services.map((service) => `    ${service.name} ${service.version}: ${words(service.notPassed)}`),
  ];
}
