// How create/update failures reach the engine, worded as the real provider's.
import type { JsonObject } from "../shared/json";
import { ClusterUnreachableError, KubeApiError, NoMatchError } from "./cluster-client";

/**
 * The object exists but did not become ready. `main()` turns an error with
 * `id`, `properties` and `reasons` into the protocol's ErrorResourceInitFailed,
 * so the engine records the object (with these properties) as created but not
 * initialized, and updates it on the next run.
 */
export class ResourceInitError extends Error {
  readonly reasons: string[];
  constructor(
    message: string,
    readonly id: string,
    readonly properties: JsonObject,
  ) {
    super(message);
    this.name = "ResourceInitError";
    this.reasons = [message];
  }
}

export const SSA_CONFLICT_DOC =
  "https://www.pulumi.com/registry/packages/kubernetes/how-to-guides/managing-resources-with-server-side-apply/#handle-field-conflicts-on-existing-resources";

export function creationFailed(id: string, error: unknown): Error {
  if (error instanceof ClusterUnreachableError) return error;
  if (error instanceof NoMatchError) {
    return new Error(
      `creation of resource ${id} failed because the Kubernetes API server reported that the apiVersion for this ` +
        `resource does not exist. Verify that any required CRDs have been created: ${error.message}`,
    );
  }
  return new Error(`resource ${id} was not successfully created by the Kubernetes API server: ${messageOf(error)}`);
}

export function updateFailed(id: string, error: unknown): Error {
  if (error instanceof ClusterUnreachableError) return error;
  if (error instanceof KubeApiError && error.status === 409 && error.reason === "Conflict") {
    return new Error(`Server-Side Apply field conflict detected. See ${SSA_CONFLICT_DOC} for troubleshooting help\n: ${error.message}`);
  }
  if (error instanceof NoMatchError) {
    return new Error(
      `update of resource ${id} failed because the Kubernetes API server reported that the apiVersion for this ` +
        `resource does not exist. Verify that any required CRDs have been created`,
    );
  }
  return new Error(`update of resource ${id} failed: ${messageOf(error)}`);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
