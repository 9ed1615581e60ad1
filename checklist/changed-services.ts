// Which services an update changes, and what the checklist of the update is
// once the changed ones are gathered afresh and the rest keep their record.
//
// How the program knows what changes: a fingerprint of each service's config
// (with the stack's environment and namespace, which move every object),
// recorded in the stack's own last outputs (`checklist.services.<name>.fingerprint`)
// and read back through the StackReference the stack holds to itself. Chosen
// over reading the DeploymentRecord in the cluster: the outputs are what the
// program itself declared, the engine already holds them (no extra
// credentials, no outside call that could time out), `preview` reads the same
// thing as `up`, and a refused update leaves them as they were, so the next
// attempt is judged as the change it still is. Chosen over comparing objects:
// the config is the whole of what a service deploys, and a fingerprint of it
// cannot be moved by a clock, a CI run or a `kubectl scale`.
import { createHash } from "node:crypto";
import type { GatheredChecklist, ChecklistItem } from "./item";
import { previousLiveOf, recordItems, recordRelease, type RecordedChecklist, type RecordedService, type RecordedWaiver } from "./recorded-checklist";

/** JSON with sorted keys: the same config gives the same text whatever order the file lists it in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** A short digest of what a service deploys: equal fingerprints, equal objects. */
export function serviceFingerprint(service: unknown, context: { readonly environment: string; readonly namespace: string }): string {
  return `sha256:${createHash("sha256").update(canonicalJson({ ...context, service })).digest("hex").slice(0, 16)}`;
}

export interface CurrentService {
  readonly name: string;
  readonly fingerprint: string;
  /** The version this update brings (what serves once it is done). */
  readonly version: string;
  /** The version it replaces; null when none. */
  readonly previousVersion: string | null;
}

/**
 * The version a service rolls back from, when this update takes it back to
 * the version its last recorded release replaced (as the printed
 * Pulumi-native rollback does); undefined for anything else.
 */
export function rollbackOf(service: CurrentService, recorded: RecordedService | undefined): string | undefined {
  if (recorded === undefined || recorded.previousVersion === null) return undefined;
  return service.version === recorded.previousVersion && service.version !== recorded.version ? recorded.version : undefined;
}

export interface ChecksPlan {
  /** Services whose items are gathered now: new, or changed since the record. */
  readonly changed: readonly string[];
  /** Services the record has and this update removes. */
  readonly removed: readonly string[];
  /** False when nothing changes: no gathering at all, the record stays as it is. */
  readonly gather: boolean;
}

export function planChecks(current: readonly CurrentService[], recorded: RecordedChecklist | undefined): ChecksPlan {
  const changed = current.filter((s) => recorded?.services[s.name]?.fingerprint !== s.fingerprint).map((s) => s.name);
  const names = new Set(current.map((s) => s.name));
  const removed = Object.keys(recorded?.services ?? {}).filter((name) => !names.has(name));
  return { changed, removed, gather: recorded === undefined || changed.length > 0 || removed.length > 0 };
}

/**
 * The update's checklist: release items and changed services from what was
 * just gathered (waivers applied), unchanged services as recorded. Without
 * `gathered` (nothing changes) it is the record itself, less removed services.
 */
export function updateChecklist(
  current: readonly CurrentService[],
  recorded: RecordedChecklist | undefined,
  gathered: GatheredChecklist | undefined,
  waivers: Readonly<Partial<Record<ChecklistItem, RecordedWaiver>>>,
  /** Each service's `live` output from the stack's last update, for the changed services' `from`. @default {} (the first update) */
  previousLive: Readonly<Record<string, unknown>> = {},
): RecordedChecklist {
  if (gathered === undefined && recorded === undefined) throw new Error("no checklist: nothing recorded and nothing gathered");
  const services: Record<string, RecordedService> = {};
  const rollbacks: boolean[] = [];
  for (const service of current) {
    const fresh = gathered?.services[service.name];
    const kept = recorded?.services[service.name];
    if (fresh !== undefined) {
      const rolledBackFrom = rollbackOf(service, kept);
      rollbacks.push(rolledBackFrom !== undefined);
      services[service.name] = {
        fingerprint: service.fingerprint,
        version: service.version,
        previousVersion: service.previousVersion,
        ...(rolledBackFrom === undefined ? {} : { rollbackOf: rolledBackFrom }),
        from: previousLiveOf(previousLive[service.name]),
        gatheredAt: gathered!.gatheredAt,
        items: recordItems(fresh, waivers),
      };
    } else if (kept !== undefined && kept.fingerprint === service.fingerprint) {
      services[service.name] = kept;
    } else {
      throw new Error(`service '${service.name}' changed but its checklist items were not gathered`);
    }
  }
  const kind = rollbacks.length > 0 && rollbacks.every(Boolean) ? "rollback" : "release";
  const release = gathered === undefined ? recorded!.release : recordRelease(gathered, waivers, kind);
  return { release, services };
}
