// `safe-deploy history SERVICE`: every version a service ran, from the
// config each update of the stack history was made with (`pulumi stack
// history` keeps it), read through the service's strategy: what the update
// brought into traffic, and whether that was a release (a version new here)
// or a rollback (one that served before).
import type { UpdateSummary } from "@pulumi/pulumi/automation";
import { serviceSchema, strategyOf } from "../strategies/registry";

export interface HistoryRow {
  /** The stack's update number (`pulumi stack history`'s version). */
  readonly update: number;
  readonly kind: string;
  readonly result: string;
  readonly startedAt: string;
  /** When it finished: for an update that brought a version into traffic, when traffic was on it. */
  readonly endedAt: string;
  /** Who ran it, as far as the engine recorded: the commit's author. @default - unknown */
  readonly by: string;
  /** The version the update brought into traffic, or null when the service was not in that update's config (or it does not read). */
  readonly version: string | null;
  /** The version a rollback of it returns to; null when none. */
  readonly previousVersion: string | null;
  /** `release`: a version new here; `rollback`: one that served before; `unchanged`: the same as the update before; `absent`: not deployed. */
  readonly change: "release" | "rollback" | "unchanged" | "absent";
}

/** `safe-deploy:services` of an update's config, by service name; undefined when absent or not a JSON map. */
export function servicesIn(entry: Pick<UpdateSummary, "config">): Record<string, unknown> | undefined {
  const raw = entry.config["safe-deploy:services"]?.value;
  if (raw === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The service's config in an update's config, or undefined when it was not there or does not read. */
function serviceIn(entry: Pick<UpdateSummary, "config">, service: string): ReturnType<typeof serviceSchema.parse> | undefined {
  const parsed = serviceSchema.safeParse(servicesIn(entry)?.[service]);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The stack history's entries (newest first, as `pulumi stack history` lists
 * them), each with its update number. The file and PostgreSQL backends number
 * no update (version 0): then the number is its place in the history, 1 the
 * oldest, as the self-managed backends count them.
 */
export function numberedUpdates<Entry extends Pick<UpdateSummary, "version">>(entries: readonly Entry[]): Entry[] {
  return entries.map((entry, i) => ({ ...entry, version: entry.version > 0 ? entry.version : entries.length - i }));
}

/** The rows of `service`, newest first, from the stack history (newest first). */
export function serviceHistory(entries: readonly Pick<UpdateSummary, "version" | "kind" | "result" | "startTime" | "endTime" | "environment" | "config">[], service: string): HistoryRow[] {
  const oldestFirst = numberedUpdates(entries).sort((a, b) => a.version - b.version);
  const served = new Set<string>();
  let before: string | null = null;
  const rows: HistoryRow[] = [];
  for (const entry of oldestFirst) {
    const found = serviceIn(entry, service);
    const config = found === undefined ? undefined : { ...found, name: service };
    const versions = config === undefined ? undefined : strategyOf(config).releaseVersions(config);
    const version = versions?.version ?? null;
    const change: HistoryRow["change"] =
      version === null ? "absent" : version === before ? "unchanged" : served.has(version) ? "rollback" : "release";
    rows.push({
      update: entry.version,
      kind: entry.kind,
      result: entry.result,
      startedAt: new Date(entry.startTime).toISOString(),
      endedAt: new Date(entry.endTime).toISOString(),
      by: entry.environment["git.author"] ?? entry.environment["git.committer"] ?? "unknown",
      version,
      previousVersion: versions?.previousVersion ?? null,
      change,
    });
    // Only an update that went through put its versions into traffic (a canary's stable track too, so an abort reads as a rollback).
    if (entry.kind === "update" && entry.result === "succeeded" && config !== undefined && version !== null) {
      for (const inTraffic of strategyOf(config).trafficVersions(config)) served.add(inTraffic);
      before = version;
    }
  }
  return rows.reverse();
}

/** The rows as a table an operator reads. */
export function formatHistory(service: string, stack: string, rows: readonly HistoryRow[]): string {
  if (rows.length === 0) return `${service} on stack ${stack}: no updates in the stack history\n`;
  const lines = rows.map(
    (row) =>
      `${String(row.update).padStart(6)}  ${row.startedAt}  ${row.kind.padEnd(7)} ${row.result.padEnd(10)} ${(row.version ?? "-").padEnd(14)} ${row.change.padEnd(10)} ${row.by}`,
  );
  return [`${service} on stack ${stack}, newest first:`, `${"update".padStart(6)}  ${"started".padEnd(24)}  ${"kind".padEnd(7)} ${"result".padEnd(10)} ${"version".padEnd(14)} ${"change".padEnd(10)} by`, ...lines, ""].join("\n");
}
