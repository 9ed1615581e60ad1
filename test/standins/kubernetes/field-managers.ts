// Field ownership before a server-side apply, as the real provider handles it
// (provider/pkg/await/await.go `fixCSAFieldManagers`, through its copy of
// fluxcd/pkg/ssa `PatchReplaceFieldsManagers`): the fields of every managed-
// fields entry that matches one of the rules below are handed to the
// provider's apply field manager, as an Apply entry, before the apply, so the
// apply does not conflict with them.
//
// A rule matches by operation and by name PREFIX (fluxssa `matchFieldManager`:
// `strings.HasPrefix` unless ExactMatch, which the provider never sets), and
// never an entry written through a subresource. So "kubectl" Update covers
// every kubectl command that writes the object itself, whatever its suffix:
// `kubectl patch` ("kubectl-patch"), `kubectl rollout undo` (measured with
// kubectl 1.36.3: "kubectl", it sends no field manager and the API server
// takes the user agent's name), `kubectl edit`, `kubectl set`, client-side
// `kubectl apply`; a Pulumi-native rollback after them needs no
// `pulumi.com/patchForce`. `kubectl scale` writes through the scale
// subresource (measured: "kubectl" with `subresource: scale`): its fields stay
// its own, and applying a different replica count is a conflict unless
// `pulumi.com/patchForce` is "true" (or PULUMI_K8S_ENABLE_PATCH_FORCE=true).
// So is a field any other manager (a controller, Helm, a person's own
// `--field-manager`) set.
import { asObject, isRecord, valueAt, type Json, type JsonObject } from "../shared/json";

interface ManagerRule {
  readonly prefix: string;
  readonly operation: "Apply" | "Update";
}

/** fixCSAFieldManagers' list, in its order. */
export const TAKEN_OVER: readonly ManagerRule[] = [
  // kubectl apply --server-side (--force-conflicts)
  { prefix: "kubectl", operation: "Apply" },
  // every other kubectl write, client-side apply included
  { prefix: "kubectl", operation: "Update" },
  { prefix: "before-first-apply", operation: "Update" },
  // The provider's own client-side writes: its creates ("pulumi-kubernetes",
  // and the "pulumi-kubernetes-<hex>" names older versions recorded) and the
  // names of its executable. "pulumi-kubernetes.exe" is covered by the prefix.
  { prefix: "pulumi-kubernetes", operation: "Update" },
  { prefix: "pulumi-resource-kubernetes", operation: "Update" },
];

/** Whether fixCSAFieldManagers hands this managed-fields entry to the apply manager. */
export function isTakenOver(entry: JsonObject): boolean {
  const manager = entry["manager"];
  if (typeof manager !== "string" || entry["subresource"] !== undefined) return false;
  return TAKEN_OVER.some((rule) => rule.operation === entry["operation"] && manager.startsWith(rule.prefix));
}

/**
 * The JSON patch that hands the matching entries' fields to `fieldManager`
 * (merged into its Apply entry, or made one), or undefined when none matches.
 */
export function takeOverPatch(live: JsonObject, fieldManager: string): JsonObject[] | undefined {
  const entries = valueAt(live, "metadata", "managedFields");
  if (!Array.isArray(entries)) return undefined;

  const all = entries.map(asObject);
  if (!all.some(isTakenOver)) return undefined;

  const isOurs = (entry: JsonObject): boolean => entry["manager"] === fieldManager && entry["operation"] === "Apply" && entry["subresource"] === undefined;
  const kept = all.filter((entry) => !isTakenOver(entry) && !isOurs(entry));
  // As PatchReplaceFieldsManagers: our Apply entry (else the first match, renamed) gets the union, at the end.
  const ours = all.find(isOurs);
  let merged: JsonObject | undefined = ours;
  for (const entry of all.filter(isTakenOver)) {
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
