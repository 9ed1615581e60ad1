// What the stack says about its services: the outputs this update produces
// (the root Stack resource's `services`), and the outputs its last update
// left, where the stack keeps them: a StackReference to itself (safe-deploy's
// production program reads its own last outputs that way). CrossGuard hands a
// policy the new state only; this record is how a policy tells what an update
// changes.
import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { TYPES } from "./kubernetes";
import { at, entries, plain, str, UNKNOWN } from "./values";

/** The stack and project a root Stack URN names: `urn:pulumi:<stack>::<project>::pulumi:pulumi:Stack::<name>`. */
export function stackOfUrn(urn: string): { readonly stack: string; readonly project: string } | undefined {
  const match = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(urn);
  return match === null ? undefined : { stack: match[1] ?? "", project: match[2] ?? "" };
}

function rootStack(args: StackValidationArgs): PolicyResource | undefined {
  return args.resources.find((resource) => resource.type === TYPES.stack);
}

/** The `services` output this update produces, by service name; undefined when the stack has none. */
export function currentServices(args: StackValidationArgs): Record<string, unknown> | undefined {
  const root = rootStack(args);
  if (root === undefined) return undefined;
  const services = plain(at(root.props, "services"));
  return services !== null && typeof services === "object" ? (services as Record<string, unknown>) : undefined;
}

export type PreviousRecord =
  /** The stack keeps no record of its last outputs: what an update changes cannot be told. */
  | { readonly known: false }
  /** The last update's `services` output by name (empty before the first update). */
  | { readonly known: true; readonly services: Readonly<Record<string, unknown>> };

/**
 * The `services` the stack's last update output, read from a StackReference
 * the stack holds to itself (`<org>/<project>/<stack>`, or shorter).
 */
export function previousRecord(args: StackValidationArgs): PreviousRecord {
  const root = rootStack(args);
  const self = root === undefined ? undefined : stackOfUrn(root.urn);
  if (self === undefined) return { known: false };
  for (const reference of args.resources.filter((resource) => resource.type === TYPES.stackReference)) {
    const name = str(at(reference.props, "name"));
    if (typeof name !== "string") continue;
    const parts = name.split("/");
    const stack = parts.at(-1);
    const project = parts.length >= 2 ? parts.at(-2) : self.project;
    if (stack !== self.stack || project !== self.project) continue;
    const services = at(reference.props, "outputs", "services");
    const byName = entries(services);
    if (byName === UNKNOWN) continue;
    return { known: true, services: Object.fromEntries(byName.map(([key, value]) => [key, plain(value)])) };
  }
  return { known: false };
}

/** `record.services[name].live`, or undefined. */
export function previousLive(record: PreviousRecord, service: string): unknown {
  return record.known ? at(record.services[service], "live") : undefined;
}
