// Field ownership before a server-side apply, as the real provider handles it
// (await.go, fixCSAFieldManagers): fields owned by client-side managers it
// knows -- kubectl apply (both modes), "before-first-apply", the provider's
// own client-side names, and the client-side create that made the object --
// are handed to the provider's apply field manager first, so that the apply
// does not conflict with them. Fields other managers changed
// (`kubectl rollout undo` is "kubectl-rollout", `kubectl patch` is
// "kubectl-patch", `kubectl scale` "kubectl-scale") stay theirs: applying a
// different value to one of them is a conflict unless `pulumi.com/patchForce`
// is "true" (or PULUMI_K8S_ENABLE_PATCH_FORCE=true).
import { asObject, isRecord, valueAt, type Json, type JsonObject } from "../shared/json";

interface ManagerKey {
  readonly manager: string;
  readonly operation: "Apply" | "Update";
}

const TAKEN_OVER: readonly ManagerKey[] = [
  { manager: "kubectl", operation: "Apply" },
  { manager: "kubectl", operation: "Update" },
  { manager: "before-first-apply", operation: "Update" },
  { manager: "pulumi-kubernetes", operation: "Update" },
  { manager: "pulumi-kubernetes.exe", operation: "Update" },
  { manager: "pulumi-resource-kubernetes", operation: "Update" },
];

/**
 * The JSON patch that hands those managers' fields to `fieldManager` (as an
 * Apply manager), or undefined when there is nothing to hand over.
 */
export function takeOverPatch(live: JsonObject, fieldManager: string): JsonObject[] | undefined {
  const entries = valueAt(live, "metadata", "managedFields");
  if (!Array.isArray(entries)) return undefined;
  const takenOver = [...TAKEN_OVER, { manager: fieldManager, operation: "Update" }];
  const isTakenOver = (entry: JsonObject): boolean =>
    entry["subresource"] === undefined &&
    takenOver.some((key) => key.manager === entry["manager"] && key.operation === entry["operation"]);

  const all = entries.map(asObject);
  if (!all.some(isTakenOver)) return undefined;

  const ours = (entry: JsonObject): boolean => entry["manager"] === fieldManager && entry["operation"] === "Apply" && entry["subresource"] === undefined;
  const kept = all.filter((entry) => !isTakenOver(entry) && !ours(entry));
  let merged: JsonObject | undefined;
  for (const entry of all.filter((e) => isTakenOver(e) || ours(e))) {
    merged = merged === undefined
      ? { ...entry, manager: fieldManager, operation: "Apply" }
      : { ...merged, fieldsV1: mergeFieldSets(merged["fieldsV1"] ?? {}, entry["fieldsV1"] ?? {}) };
  }
  // No resourceVersion test: controllers update the status all the time, and
  // only the entries handed over change here.
  return [{ op: "replace", path: "/metadata/managedFields", value: merged === undefined ? kept : [...kept, merged] }];
}

/** FieldsV1 is a trie of `f:`/`k:`/`v:`/`i:` keys; the union of two is their deep merge. */
function mergeFieldSets(a: Json, b: Json): Json {
  if (!isRecord(a) || !isRecord(b)) return isRecord(a) ? a : b;
  const out: JsonObject = { ...(a as JsonObject) };
  for (const [key, value] of Object.entries(b as JsonObject)) out[key] = key in out ? mergeFieldSets(out[key] ?? {}, value) : value;
  return out;
}
