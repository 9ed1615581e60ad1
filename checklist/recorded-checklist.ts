// The checklist as a release keeps it: the `checklist` stack output and the
// DeploymentRecord hold this shape, and the next update reads it back from
// its own last outputs so that an unchanged service keeps the results it was
// judged by. Items are keyed by name, so `pulumi stack output checklist`
// reads as a table: checklist.release.items.ci-passed.reason.
import { z } from "zod";
import { RELEASE_ITEMS, SERVICE_ITEMS, type ChecklistItem, type GatheredChecklist, type ItemResult } from "./item";

export interface RecordedWaiver {
  readonly by: string;
  readonly reason: string;
}

/** One item as recorded: what was gathered, and the waiver that let it through, if one did. */
export interface RecordedItem {
  readonly status: ItemResult["status"];
  readonly reason: string;
  readonly source: string;
  /** How to clear it. @default - none (a pass) */
  readonly fix?: string;
  /** An emergency waiver from stack config (safe-deploy:checklistWaivers). @default - not waived */
  readonly waived?: RecordedWaiver;
}

export interface RecordedRelease {
  /**
   * `rollback`: every service the update changed went back to the version
   * its last release replaced (the printed Pulumi-native rollback), which the
   * policy judges by fewer items: in an incident the window may be shut,
   * staging ahead, an alert firing, the stack file just edited.
   */
  readonly kind: "release" | "rollback";
  /** When the release items were gathered (ISO 8601, UTC). */
  readonly gatheredAt: string;
  readonly commit: string | null;
  readonly tag: string | null;
  readonly deployedBy: string;
  readonly items: Readonly<Record<string, RecordedItem>>;
}

export interface RecordedService {
  /** What the service's config was when its items were gathered (see changed-services.ts). */
  readonly fingerprint: string;
  /** The version the update that gathered these items brought. */
  readonly version: string;
  /** The version it replaced (its rollback target); null when none. */
  readonly previousVersion: string | null;
  /** Set when that update took the service back: the version it rolled back from. @default - not a rollback */
  readonly rollbackOf?: string;
  /**
   * What was live for the service (its `services.<name>.live` output) before the update that
   * gathered these items; null when that update deployed it first. The record carries it, so a
   * policy judges a change against what served before from a resource the engine hands it.
   * @default - not known (a record from before it was kept)
   */
  readonly from?: PreviousLive;
  readonly gatheredAt: string;
  readonly items: Readonly<Record<string, RecordedItem>>;
}

/** A service's `live` output as a previous update left it (lib/live-state.ts), or null: it was not deployed. */
export type PreviousLive = Readonly<Record<string, unknown>> | null;

/** `value` with every object's keys sorted: the engine hands outputs back in an order of its own. */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]));
}

/** A previous `live` output as the record keeps it: an object with sorted keys, or null. */
export function previousLiveOf(live: unknown): PreviousLive {
  return live !== null && typeof live === "object" && !Array.isArray(live) ? (sortedKeys(live) as Record<string, unknown>) : null;
}

export interface RecordedChecklist {
  readonly release: RecordedRelease;
  readonly services: Readonly<Record<string, RecordedService>>;
}

const itemSchema = z.object({
  status: z.enum(["pass", "fail", "unknown"]),
  reason: z.string(),
  source: z.string(),
  fix: z.string().optional(),
  waived: z.object({ by: z.string(), reason: z.string() }).optional(),
});
const itemsSchema = z.record(z.string(), itemSchema);
/** The `checklist` output and the record's checklist, as the stack outputs' contract reads them (lib/stack-outputs.ts). */
export const recordedChecklistSchema = z.object({
  release: z.object({
    kind: z.enum(["release", "rollback"]).default("release"),
    gatheredAt: z.string(),
    commit: z.string().nullable(),
    tag: z.string().nullable(),
    deployedBy: z.string(),
    items: itemsSchema,
  }),
  services: z.record(
    z.string(),
    z.object({
      fingerprint: z.string(),
      version: z.string(),
      previousVersion: z.string().nullable().default(null),
      rollbackOf: z.string().optional(),
      from: z.record(z.string(), z.unknown()).nullable().optional(),
      gatheredAt: z.string(),
      items: itemsSchema,
    }),
  ),
});

const ITEM_ORDER: readonly string[] = [...RELEASE_ITEMS, ...SERVICE_ITEMS];

function itemRank(item: string): number {
  const rank = ITEM_ORDER.indexOf(item);
  return rank < 0 ? ITEM_ORDER.length : rank;
}

/**
 * Items in the checklist's own order, each with its fields in one order: the
 * engine hands outputs back with their keys in an order of its own, and the
 * record must be the same text for the same items, or a no-op `up` would
 * replace it.
 */
export function canonicalItems(items: Readonly<Record<string, RecordedItem>>): Record<string, RecordedItem> {
  const names = Object.keys(items).sort((a, b) => itemRank(a) - itemRank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(
    names.map((name) => {
      const { status, reason, source, fix, waived } = items[name]!;
      const item: RecordedItem = {
        status,
        reason,
        source,
        ...(fix === undefined ? {} : { fix }),
        ...(waived === undefined ? {} : { waived: { by: waived.by, reason: waived.reason } }),
      };
      return [name, item];
    }),
  );
}

/**
 * The checklist the stack's last update recorded, or undefined when there is
 * none usable (the first update, or outputs from before the checklist): then
 * everything is gathered afresh.
 */
export function recordedChecklistOf(output: unknown): RecordedChecklist | undefined {
  const parsed = recordedChecklistSchema.safeParse(output);
  if (!parsed.success) return undefined;
  const { release, services } = parsed.data as RecordedChecklist;
  return {
    release: { kind: release.kind, gatheredAt: release.gatheredAt, commit: release.commit, tag: release.tag, deployedBy: release.deployedBy, items: canonicalItems(release.items) },
    services: Object.fromEntries(
      Object.entries(services).map(([name, s]) => [
        name,
        {
          fingerprint: s.fingerprint,
          version: s.version,
          previousVersion: s.previousVersion,
          ...(s.rollbackOf === undefined ? {} : { rollbackOf: s.rollbackOf }),
          ...(s.from === undefined ? {} : { from: previousLiveOf(s.from) }),
          gatheredAt: s.gatheredAt,
          items: canonicalItems(s.items),
        },
      ]),
    ),
  };
}

/** Items as recorded, in the gathered order, with the waiver of each item that did not pass. */
export function recordItems(results: readonly ItemResult[], waivers: Readonly<Partial<Record<ChecklistItem, RecordedWaiver>>>): Record<string, RecordedItem> {
  return Object.fromEntries(
    results.map((result) => {
      const waiver = result.status === "pass" ? undefined : waivers[result.item];
      const item: RecordedItem = {
        status: result.status,
        reason: result.reason,
        source: result.source,
        ...(result.fix === undefined ? {} : { fix: result.fix }),
        ...(waiver === undefined ? {} : { waived: { by: waiver.by, reason: waiver.reason } }),
      };
      return [result.item, item];
    }),
  );
}

/** The release part of a freshly gathered checklist. */
export function recordRelease(gathered: GatheredChecklist, waivers: Readonly<Partial<Record<ChecklistItem, RecordedWaiver>>>, kind: RecordedRelease["kind"]): RecordedRelease {
  return {
    kind,
    gatheredAt: gathered.gatheredAt,
    commit: gathered.facts.commit ?? null,
    tag: gathered.facts.tag ?? null,
    deployedBy: gathered.facts.deployedBy,
    items: recordItems(gathered.release, waivers),
  };
}
