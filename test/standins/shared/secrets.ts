// Pulumi's secret envelope as a provider served by `main()` sees it: a secret
// input arrives as `{ [specialSigKey]: specialSecretSig, value }` anywhere in
// the property tree. A provider unwraps it to act, and wraps the same places
// in its outputs again so that the engine keeps them secret in the state.
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { isRecord, type Json, type JsonObject } from "./json";

/** A place in a property tree: object keys and array indices from the root. */
export type PropertyPath = readonly (string | number)[];

export interface Unwrapped<T> {
  /** The value with every envelope replaced by its content. */
  readonly value: T;
  /** Where envelopes were, outermost only (a secret inside a secret is one secret). */
  readonly secretPaths: readonly PropertyPath[];
}

/** The placeholder the engine sends for a value not known yet (during preview). */
export const UNKNOWN = unknownValue;

export function isSecretEnvelope(value: unknown): value is { readonly value?: unknown } {
  return isRecord(value) && value[specialSigKey] === specialSecretSig;
}

export function makeSecret(value: Json): JsonObject {
  return { [specialSigKey]: specialSecretSig, value };
}

/** Replaces every secret envelope by its content and reports where they were. */
export function unwrapSecrets<T extends Json>(value: T): Unwrapped<T> {
  const secretPaths: PropertyPath[] = [];
  const walk = (node: unknown, path: (string | number)[], insideSecret: boolean): Json => {
    if (isSecretEnvelope(node)) {
      if (!insideSecret) secretPaths.push([...path]);
      return walk(node.value ?? null, path, true);
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index], insideSecret));
    if (isRecord(node)) {
      const out: JsonObject = {};
      for (const [key, child] of Object.entries(node)) out[key] = walk(child, [...path, key], insideSecret);
      return out;
    }
    return node as Json;
  };
  return { value: walk(value, [], false) as T, secretPaths };
}

/** Wraps the values found at `paths` (where they exist) in secret envelopes; returns a new tree. */
export function wrapSecretPaths<T extends Json>(value: T, paths: readonly PropertyPath[]): T {
  let result: Json = value;
  // Shorter paths first: a path under an already wrapped one is covered by it.
  const ordered = [...paths].sort((a, b) => a.length - b.length);
  const wrapped: PropertyPath[] = [];
  for (const path of ordered) {
    if (wrapped.some((done) => isPrefix(done, path))) continue;
    const next = wrapAt(result, path, 0);
    if (next !== undefined) {
      result = next;
      wrapped.push(path);
    }
  }
  return result as T;
}

/** Whether the tree holds the engine's placeholder for an unknown value anywhere. */
export function containsUnknowns(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknowns);
  if (isRecord(value)) return Object.values(value).some(containsUnknowns);
  return false;
}

function wrapAt(node: Json, path: PropertyPath, depth: number): Json | undefined {
  if (depth === path.length) return isSecretEnvelope(node) ? node : makeSecret(node);
  const key = path[depth];
  if (typeof key === "number") {
    if (!Array.isArray(node) || key >= node.length) return undefined;
    const child = wrapAt(node[key] as Json, path, depth + 1);
    if (child === undefined) return undefined;
    const copy = [...node];
    copy[key] = child;
    return copy;
  }
  if (key === undefined || !isRecord(node) || isSecretEnvelope(node) || !(key in node)) return undefined;
  const child = wrapAt(node[key] as Json, path, depth + 1);
  return child === undefined ? undefined : { ...(node as JsonObject), [key]: child };
}

function isPrefix(prefix: PropertyPath, path: PropertyPath): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => path[index] === segment);
}
