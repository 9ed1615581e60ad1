// Diff as the real provider (v4) computes it: the last live object, cut down
// to the shape of the last inputs, against the new inputs. So a field someone
// changed in the cluster counts once a refresh has read it back, and fields
// the cluster fills in never count. A change to a field the API server cannot
// change in place (see forceNew below, from the provider's diff.go) replaces
// the object; an object with a fixed name is then deleted before it is
// created again, since two objects cannot share a name.
import { deepEqual, isRecord, stringAt, type Json, type JsonObject } from "../shared/json";
import { unwrapSecrets, type PropertyPath } from "../shared/secrets";
import { isAutonamed } from "./annotations";
import { parseCheckpoint, pruneLive } from "./checkpoint";
import type { GroupVersionKind } from "./object-ref";

export interface ObjectDiff {
  readonly changes: boolean;
  /** Changed properties, as Pulumi property paths (`spec.template.spec.containers[0].image`). */
  readonly changed: readonly string[];
  /** The changed properties that force a replacement. */
  readonly replaces: readonly string[];
  readonly deleteBeforeReplace: boolean;
}

/** A path pattern; "*" stands for any list index. */
type Pattern = readonly string[];

const labelSelector = (prefix: string): string[] => [prefix, `${prefix}.matchExpressions`, `${prefix}.matchLabels`];
const containerFields = [
  "args", "command", "env", "image", "imagePullPolicy", "lifecycle", "livenessProbe", "ports", "readinessProbe",
  "resources", "securityContext", "stdin", "stdinOnce", "terminationMessagePath", "terminationMessagePolicy", "tty",
  "volumeDevices", "volumeMounts", "workingDir",
];

/** Fields whose change replaces the object, by apiVersion and kind (metadata.name/namespace always do). */
const forceNew: Record<string, readonly string[]> = {
  "apps/v1/Deployment": labelSelector("spec.selector"),
  "apps/v1/DaemonSet": labelSelector("spec.selector"),
  "apps/v1/StatefulSet": [
    "spec.podManagementPolicy", "spec.revisionHistoryLimit", "spec.serviceName", "spec.volumeClaimTemplates",
    ...labelSelector("spec.selector"),
  ],
  "batch/v1/Job": ["spec.completions", "spec.parallelism", "spec.template", ...labelSelector("spec.selector")],
  "v1/ConfigMap": ["binaryData", "data"],
  "v1/Secret": ["type", "stringData", "data"],
  "v1/Service": ["spec.clusterIP"],
  "v1/PersistentVolumeClaim": ["spec"],
  "v1/Pod": [
    "spec.affinity", "spec.nodeName", "spec.nodeSelector", "spec.restartPolicy", "spec.securityContext",
    "spec.serviceAccountName", "spec.volumes",
    ...containerFields.flatMap((f) => [`spec.containers.*.${f}`, `spec.initContainers.*.${f}`]),
  ],
  "policy/v1beta1/PodDisruptionBudget": ["spec"],
  "rbac.authorization.k8s.io/v1/RoleBinding": ["roleRef"],
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": ["roleRef"],
  "storage.k8s.io/v1/StorageClass": ["parameters", "provisioner"],
};

export function forceNewPatterns(gvk: GroupVersionKind): Pattern[] {
  const own = forceNew[`${gvk.apiVersion}/${gvk.kind}`] ?? [];
  return ["metadata.name", "metadata.namespace", ...own].map((p) => p.split("."));
}

/** Server-filled metadata that never counts as input (the real provider strips it too). */
const READ_ONLY_METADATA = ["creationTimestamp", "deletionGracePeriodSeconds", "deletionTimestamp", "generation", "managedFields", "resourceVersion", "uid"];

export function withoutReadOnlyMetadata(object: JsonObject): JsonObject {
  const metadata = object["metadata"];
  if (!isRecord(metadata)) return object;
  const kept: JsonObject = { ...(metadata as JsonObject) };
  for (const key of READ_ONLY_METADATA) delete kept[key];
  return { ...object, metadata: kept };
}

/**
 * Inputs in the form the API server stores them, so that equivalent inputs
 * are not changes: a Secret's `stringData` becomes base64 `data` (the server
 * never returns stringData). The real provider normalizes through the typed
 * Kubernetes objects, which also canonicalizes quantities ("0.5" -> "500m");
 * this one does not (see ../README.md).
 */
export function normalizeInputs(object: JsonObject): JsonObject {
  const normalized = withoutReadOnlyMetadata(object);
  if (normalized["kind"] !== "Secret" || !isRecord(normalized["stringData"])) return normalized;
  const { stringData, ...rest } = normalized;
  const data: JsonObject = { ...(isRecord(rest["data"]) ? (rest["data"] as JsonObject) : {}) };
  for (const [key, value] of Object.entries(stringData as JsonObject)) {
    data[key] = typeof value === "string" ? Buffer.from(value, "utf8").toString("base64") : value;
  }
  return { ...rest, data };
}

export function diffObject(oldState: unknown, news: JsonObject, gvk: GroupVersionKind): ObjectDiff {
  const old = parseCheckpoint(oldState);
  const oldLivePruned = pruneLive(withoutReadOnlyMetadata(old.live), normalizeInputs(old.inputs));
  const newInputs = normalizeInputs(unwrapSecrets(news).value);

  const changedPaths: PropertyPath[] = [];
  collectChanges(oldLivePruned, newInputs, [], changedPaths);
  const patterns = forceNewPatterns(gvk);
  const replacing = changedPaths.filter(
    (path) => patterns.some((pattern) => matchesPrefix(pattern, path)) || (path.length === 1 && path[0] === "metadata" && !("metadata" in newInputs)),
  );
  const replaces = replacing.map(formatPath);
  const deleteBeforeReplace =
    replaces.length > 0 &&
    !isAutonamed(newInputs) &&
    stringAt(newInputs, "metadata", "name") === stringAt(oldLivePruned, "metadata", "name") &&
    (stringAt(newInputs, "metadata", "namespace") ?? "") === (stringAt(oldLivePruned, "metadata", "namespace") ?? "");
  return { changes: changedPaths.length > 0, changed: changedPaths.map(formatPath), replaces, deleteBeforeReplace };
}

function collectChanges(before: Json | undefined, after: Json | undefined, path: (string | number)[], out: PropertyPath[]): void {
  if (deepEqual(before, after)) return;
  if (isRecord(before) && isRecord(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of keys) collectChanges(before[key] as Json | undefined, after[key] as Json | undefined, [...path, key], out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) collectChanges(before[i], after[i], [...path, i], out);
    return;
  }
  out.push(path);
}

function matchesPrefix(pattern: Pattern, path: PropertyPath): boolean {
  if (pattern.length > path.length) return false;
  return pattern.every((segment, i) => (segment === "*" ? typeof path[i] === "number" : path[i] === segment));
}

/** Pulumi's property path syntax: `a.b[0]["app.kubernetes.io/name"]`. */
export function formatPath(path: PropertyPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${String(segment)}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
