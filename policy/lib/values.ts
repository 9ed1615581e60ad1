// Reading a resource's properties the way CrossGuard hands them over: during
// preview some values are not known yet (a namespace another resource
// creates, an output of a resource not yet created), and the SDK's proxy
// throws `UnknownValueError` on touching one. These readers turn that into
// the UNKNOWN marker, so a policy can say "cannot tell yet" and move on
// instead of reporting a violation it cannot prove.
import { UnknownValueError } from "@pulumi/policy";

/** A value that preview cannot know yet. A policy never reports a violation from it alone. */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export type Unknown = typeof UNKNOWN;

export type PathKey = string | number;

/**
 * The value at `path` under `root`: the value itself, UNKNOWN when it (or
 * anything on the way to it) is unknown during preview, or undefined when
 * absent.
 */
export function at(root: unknown, ...path: readonly PathKey[]): unknown {
  let value: unknown = root;
  for (const key of path) {
    if (value === UNKNOWN) return UNKNOWN;
    if (value === null || typeof value !== "object") return undefined;
    try {
      value = (value as Record<PathKey, unknown>)[key];
    } catch (error) {
      if (error instanceof UnknownValueError) return UNKNOWN;
      throw error;
    }
  }
  return value;
}

/** A string, UNKNOWN, or undefined (absent or not a string). */
export function str(value: unknown): string | Unknown | undefined {
  return value === UNKNOWN ? UNKNOWN : typeof value === "string" ? value : undefined;
}

/** A number, UNKNOWN, or undefined (absent or not a number). */
export function num(value: unknown): number | Unknown | undefined {
  return value === UNKNOWN ? UNKNOWN : typeof value === "number" ? value : undefined;
}

/** The elements of a list, each read through `at` (so an unknown element is UNKNOWN); [] when absent. */
export function items(value: unknown): unknown[] | Unknown {
  if (value === UNKNOWN) return UNKNOWN;
  if (!Array.isArray(value)) return [];
  const length = at(value, "length");
  if (typeof length !== "number") return UNKNOWN;
  return Array.from({ length }, (_, i) => at(value, i));
}

/** The entries of a map (labels, a selector), each value read through `at`; [] when absent. */
export function entries(value: unknown): [string, unknown][] | Unknown {
  if (value === UNKNOWN) return UNKNOWN;
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [];
  return Object.keys(value).map((key) => [key, at(value, key)]);
}

/**
 * A map of strings (labels, annotations, a selector's matchLabels): UNKNOWN
 * when the map itself is unknown; a key whose value is unknown maps to UNKNOWN.
 */
export function stringMap(value: unknown): Map<string, string | Unknown> | Unknown {
  const all = entries(value);
  if (all === UNKNOWN) return UNKNOWN;
  const result = new Map<string, string | Unknown>();
  for (const [key, v] of all) {
    const s = str(v);
    if (s !== undefined) result.set(key, s);
  }
  return result;
}

/** Is there anything unknown anywhere under `value`? (For values a policy compares as a whole.) */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) {
    const list = items(value);
    return list === UNKNOWN || list.some(containsUnknown);
  }
  const all = entries(value);
  return all === UNKNOWN || all.some(([, v]) => containsUnknown(v));
}

/** A plain copy of `value` with UNKNOWN where preview cannot know a value (for stack outputs read as data). */
export function plain(value: unknown): unknown {
  if (value === UNKNOWN || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    const list = items(value);
    return list === UNKNOWN ? UNKNOWN : list.map(plain);
  }
  const all = entries(value);
  return all === UNKNOWN ? UNKNOWN : Object.fromEntries(all.map(([k, v]) => [k, plain(v)]));
}
