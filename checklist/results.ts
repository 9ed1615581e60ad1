// Small constructors for ItemResult, so every source words `not configured`,
// a failure and a time-out the same way.
import type { ChecklistItem, ItemResult } from "./item";

export function pass(item: ChecklistItem, source: string, reason: string): ItemResult {
  return { item, status: "pass", reason, source };
}

export function fail(item: ChecklistItem, source: string, reason: string, fix: string): ItemResult {
  return { item, status: "fail", reason, source, fix };
}

export function unknown(item: ChecklistItem, source: string, reason: string, fix: string): ItemResult {
  return { item, status: "unknown", reason, source, fix };
}

/** The item's source has no settings: `unknown`, and the fix names the key to set. */
export function notConfigured(item: ChecklistItem, key: string, fix: string): ItemResult {
  return unknown(item, `config ${key}`, "not configured", fix);
}

/** `5 s`, `0.5 s`: how a bound reads in a reason. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** What went wrong, in one line, from anything thrown. */
export function errorWords(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}
