// `safe-deploy status`: per service, what the stack's last update says
// serves and how to go back, and whether the cluster still matches the stack
// (a refresh preview, bounded) and whether an update was left half done.
// Every outside read is bounded; what cannot be read is `unknown`, with why.
import { readThrough, stackOutputsSchema, type StackOutputsData } from "../lib/stack-outputs";
import { strategyOfLive } from "../strategies/registry";
import { itemsNotPassed } from "./checklist-summary";
import { shortUrn } from "./engine-run";
import { within, type Known } from "./known";
import { PROJECT_NAME, type OpenedStack } from "./open-stack";
import { describePending, readPendingOperations } from "./pending-operations";
import { backendUrlOf, lockAdvice, readStackLocks, type StackLock } from "./stack-locks";

export interface ServiceStatus {
  readonly name: string;
  readonly strategy: string;
  /** What is live, in words (the strategy's own: slot, canary share...). */
  readonly live: string;
  /** What the ready objects served at the last update (`served`). */
  readonly served: readonly string[];
  readonly rollbackTarget: string | null;
  readonly quickRollback: string | null;
  /** The release the checklist last judged for this service: its version, when, and the items that did not pass. */
  readonly lastRelease: { readonly version: string; readonly gatheredAt: string; readonly notPassed: readonly string[] } | null;
}

export interface DriftedObject {
  /** Type and name, as `pulumi stack` shows them. */
  readonly resource: string;
  /** What the refresh would do to the state: `update` (changed by hand) or `delete` (gone). */
  readonly op: string;
}

/** The program's read of its own last outputs: every refresh updates it, and it declares nothing in the cluster. */
const STACK_REFERENCE = "pulumi:pulumi:StackReference";

export interface StackStatus {
  readonly stack: string;
  readonly environment: string;
  readonly services: Known<readonly ServiceStatus[]>;
  /** Objects whose live state differs from what the stack declared, as a refresh preview's engine judges them. */
  readonly drift: Known<{ readonly changed: number; readonly objects: readonly DriftedObject[] }>;
  /** Operations an interrupted update left pending (`pulumi stack export`). */
  readonly pendingOperations: Known<readonly string[]>;
  /** Who holds the stack's lock, if anyone, and whether that process still runs. */
  readonly locks: Known<readonly StackLock[]>;
}

function servicesOf(outputs: StackOutputsData): ServiceStatus[] {
  return Object.values(outputs.services).map((report) => {
    const recorded = outputs.checklist.services[report.name];
    return {
      name: report.name,
      strategy: report.strategy,
      live: strategyOfLive(report.live).describeLive(report.live),
      served: outputs.served[report.name]?.versions ?? [],
      rollbackTarget: report.rollbackTarget,
      quickRollback: report.rollback?.quick ?? null,
      lastRelease:
        recorded === undefined
          ? null
          : {
              version: recorded.version,
              gatheredAt: recorded.gatheredAt,
              notPassed: itemsNotPassed(recorded.items),
            },
    };
  });
}

export async function stackStatus(opened: OpenedStack, options: { readonly timeoutMs: number }): Promise<StackStatus> {
  const { stack } = opened;
  const outputs = await within("reading the stack outputs", options.timeoutMs, async () => {
    const raw = Object.fromEntries(Object.entries(await stack.outputs()).map(([key, output]) => [key, output.value]));
    const read = readThrough(stackOutputsSchema, raw, `the outputs of stack ${stack.name}`);
    if (!read.known) throw new Error(read.reason);
    return read.value;
  });
  const pendingOperations = await within("reading the stack's state", options.timeoutMs, async () =>
    (await readPendingOperations(stack)).map(describePending),
  );
  const locks = await within("reading the stack's locks", options.timeoutMs, async () => {
    const read = await readStackLocks(await backendUrlOf(stack), PROJECT_NAME, stack.name, options.timeoutMs);
    if (!read.known) throw new Error(read.reason);
    return read.value;
  });
  const drift = await within("the refresh preview", options.timeoutMs, async (signal) => {
    const objects: DriftedObject[] = [];
    await stack.previewRefresh({
      signal,
      color: "never",
      // The engine judges each refreshed object against what the stack declared (its inputs): a status the
      // cluster moves on is `same`; the verdict comes with the step's outputs, its pre-event only says `refresh`.
      onEvent: (event) => {
        const step = event.resOutputsEvent?.metadata;
        if (step === undefined || step.op === "same" || step.type === STACK_REFERENCE) return;
        objects.push({ resource: shortUrn(step.urn), op: step.op });
      },
    });
    return { changed: objects.length, objects };
  });
  return {
    stack: stack.name,
    environment: opened.environment,
    services: outputs.known ? { known: true, value: servicesOf(outputs.value) } : outputs,
    drift,
    pendingOperations,
    locks,
  };
}

export function formatStatus(status: StackStatus): string {
  const lines = [`stack ${status.stack} (${status.environment})`];
  if (!status.services.known) lines.push(`  services: unknown: ${status.services.reason}`);
  else {
    for (const s of status.services.value) {
      lines.push(``, `${s.name} (${s.strategy})`, `  live: ${s.live}`, `  served at the last update: ${s.served.join(", ") || "nothing"}`);
      lines.push(`  rollback target: ${s.rollbackTarget ?? "none"}${s.quickRollback === null ? "" : `\n  quick rollback: ${s.quickRollback}`}`);
      if (s.lastRelease !== null) {
        lines.push(`  last release: ${s.lastRelease.version}, checklist gathered at ${s.lastRelease.gatheredAt}${s.lastRelease.notPassed.length === 0 ? ", every item passed" : `; not passed: ${s.lastRelease.notPassed.join(", ")}`}`);
      }
    }
  }
  lines.push("");
  lines.push(
    status.drift.known
      ? `cluster: ${status.drift.value.changed === 0 ? "matches the stack" : `differs from the stack: ${status.drift.value.objects.map((o) => `${o.resource} (${o.op})`).join(", ")}`}`
      : `cluster: unknown: ${status.drift.reason}`,
  );
  lines.push(
    status.pendingOperations.known
      ? `pending operations: ${status.pendingOperations.value.length === 0 ? "none" : status.pendingOperations.value.join("; ")}`
      : `pending operations: unknown: ${status.pendingOperations.reason}`,
  );
  lines.push(status.locks.known ? `lock: ${formatLocks(status.stack, status.locks.value)}` : `lock: unknown: ${status.locks.reason}`);
  return `${lines.join("\n")}\n`;
}

function formatLocks(stack: string, locks: readonly StackLock[]): string {
  return locks.length === 0 ? "none" : locks.map((lock) => lockAdvice(stack, lock)).join("; ");
}
