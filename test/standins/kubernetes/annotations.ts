// The `pulumi.com/*` annotations the real provider reads from an object's
// inputs (documented at pulumi.com/registry/packages/kubernetes, "await logic"
// and "server-side apply" guides).
import { stringAt } from "../shared/json";

export const SKIP_AWAIT = "pulumi.com/skipAwait";
export const TIMEOUT_SECONDS = "pulumi.com/timeoutSeconds";
export const PATCH_FORCE = "pulumi.com/patchForce";
export const PATCH_FIELD_MANAGER = "pulumi.com/patchFieldManager";
export const AUTONAMED = "pulumi.com/autonamed";

export function annotation(object: unknown, key: string): string | undefined {
  return stringAt(object, "metadata", "annotations", key);
}

export function skipsAwait(object: unknown): boolean {
  return annotation(object, SKIP_AWAIT) === "true";
}

/** The `pulumi.com/timeoutSeconds` annotation in ms, else the default. */
export function timeoutMs(object: unknown, defaultSeconds: number): number {
  const seconds = Number(annotation(object, TIMEOUT_SECONDS));
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : defaultSeconds) * 1000;
}

/** Force server-side apply conflicts: the annotation, else PULUMI_K8S_ENABLE_PATCH_FORCE. */
export function patchForce(object: unknown): boolean {
  if (annotation(object, PATCH_FORCE) === "true") return true;
  return process.env["PULUMI_K8S_ENABLE_PATCH_FORCE"] === "true";
}

/**
 * Create adopts an object that already exists (a server-side apply that
 * creates or updates) instead of failing with AlreadyExists: the provider's
 * `upsertExistingObjects`, whose environment form is this variable.
 */
export function upsertExistingObjects(): boolean {
  return process.env["PULUMI_K8S_UPSERT_EXISTING_OBJECTS"] === "true";
}

export function isAutonamed(object: unknown): boolean {
  return annotation(object, AUTONAMED) === "true";
}
