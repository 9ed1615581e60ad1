// Plain JSON values: what crosses the provider protocol (a protobuf Struct) and
// what the Kubernetes API speaks.
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown): JsonObject {
  return isRecord(value) ? (value as JsonObject) : {};
}

/** A copy that a protobuf Struct accepts: no undefined, no functions, no class instances. */
export function toJson(value: unknown): JsonObject {
  return asObject(JSON.parse(JSON.stringify(value ?? {})) as unknown);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && deepEqual(a[key], b[key]));
  }
  return false;
}

/** The value at a path of object keys, or undefined. */
export function valueAt(root: unknown, ...path: string[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (!isRecord(node)) return undefined;
    node = node[key];
  }
  return node;
}

export function stringAt(root: unknown, ...path: string[]): string | undefined {
  const value = valueAt(root, ...path);
  return typeof value === "string" ? value : undefined;
}

export function numberAt(root: unknown, ...path: string[]): number | undefined {
  const value = valueAt(root, ...path);
  return typeof value === "number" ? value : undefined;
}
