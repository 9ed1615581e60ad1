// Which Kubernetes object a resource is: its group/version/kind from the
// Pulumi type token, its name and namespace from the object or the resource ID.
import { stringAt } from "../shared/json";

export interface GroupVersionKind {
  /** As in the object: `v1` for the core group, else `group/version`. */
  readonly apiVersion: string;
  readonly kind: string;
}

export interface ObjectRef extends GroupVersionKind {
  readonly name: string;
  /** Absent for cluster-scoped objects (and for namespaced ones that rely on `default`). */
  readonly namespace?: string;
}

/** `kubernetes:apps/v1:Deployment` -> apps/v1 Deployment; `kubernetes:core/v1:Namespace` -> v1 Namespace. */
export function gvkFromTypeToken(token: string): GroupVersionKind {
  const match = /^kubernetes:([^:]+):([^:]+)$/.exec(token);
  if (match?.[1] === undefined || match[2] === undefined) {
    throw new Error(`unrecognized resource type "${token}" for the kubernetes provider`);
  }
  const [group, version] = match[1].split("/");
  if (group === undefined || version === undefined) {
    throw new Error(`apiVersion does not have both a group and a version: "${match[1]}"`);
  }
  return { apiVersion: group === "core" ? version : `${group}/${version}`, kind: match[2] };
}

export function refOf(object: unknown, fallback?: GroupVersionKind): ObjectRef {
  const apiVersion = stringAt(object, "apiVersion") ?? fallback?.apiVersion;
  const kind = stringAt(object, "kind") ?? fallback?.kind;
  const name = stringAt(object, "metadata", "name");
  if (apiVersion === undefined || kind === undefined) throw new Error("the object has no apiVersion and kind");
  if (name === undefined || name === "") throw new Error(`the ${kind} has no metadata.name`);
  const namespace = stringAt(object, "metadata", "namespace");
  return namespace === undefined || namespace === "" ? { apiVersion, kind, name } : { apiVersion, kind, name, namespace };
}

/** The resource ID the real provider uses: `namespace/name`, or `name` when there is no namespace. */
export function objectId(ref: Pick<ObjectRef, "name" | "namespace">): string {
  return ref.namespace === undefined ? ref.name : `${ref.namespace}/${ref.name}`;
}

export function parseObjectId(id: string): { readonly name: string; readonly namespace?: string } {
  const slash = id.indexOf("/");
  return slash < 0 ? { name: id } : { namespace: id.slice(0, slash), name: id.slice(slash + 1) };
}

/** How messages name an object: `Deployment safe-deploy/user-api`. */
export function describe(ref: ObjectRef): string {
  return `${ref.kind} ${objectId(ref)}`;
}
