// Every Kubernetes object a service may own, by kind and name, so that the
// config can be refused up front when two services would own the same object
// or a derived name is one the API server refuses.
import { plannedMigrationOf, strategyOf, type ServiceConfig } from "../strategies/registry";
import { names } from "./names";

export type ObjectKind = "Deployment" | "Service" | "Job" | "HTTPRoute";

export interface OwnedObject {
  readonly kind: ObjectKind;
  readonly name: string;
}

/**
 * The objects a service owns now or may own after a config change of its own
 * strategy (both slots, the canary track and its route), so a name that is
 * free today does not collide on the next release.
 */
export function ownedObjects(service: ServiceConfig): OwnedObject[] {
  const objects: OwnedObject[] = [{ kind: "Service", name: names.service(service.name) }];
  objects.push(...strategyOf(service).ownedObjects(service));
  const migration = plannedMigrationOf(service);
  if (migration !== undefined) objects.push({ kind: "Job", name: migration.jobName });
  return objects;
}

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Why the API server would refuse this name for this kind, or undefined.
 * Services need an RFC 1035 label (63 characters); every other name here
 * also becomes a label value (`app`, `batch.kubernetes.io/job-name`), so 63
 * characters is the bound for all of them.
 */
export function objectNameProblem(object: OwnedObject): string | undefined {
  if (object.name.length > 63) {
    return `would name the ${object.kind} '${object.name}' (${object.name.length} characters); Kubernetes allows at most 63`;
  }
  const valid = object.kind === "Job" ? /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(object.name) : DNS_LABEL.test(object.name);
  return valid ? undefined : `would name the ${object.kind} '${object.name}', which Kubernetes refuses as a name`;
}
