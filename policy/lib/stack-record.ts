// What the stack says about its services: the outputs this update produces
// (the root Stack resource's `services`), and what each service ran before
// its release, which the program writes on the DeploymentRecord (ConfigMap
// `safe-deploy-record`, `service.<name>` -> `from`). CrossGuard hands a stack
// policy the registered resources only, not the stack's reads: a
// StackReference never arrives (engine v3.259.0, step_executor.go), so the
// previous state must travel on a resource. This is how a policy tells what
// an update changes.
import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { TYPES } from "./kubernetes";
import { at, entries, plain, str, UNKNOWN } from "./values";

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
  /** The stack keeps no record of what served before (no DeploymentRecord, or one written before `from`). */
  | { readonly known: false }
  /** Per service, its `live` before its release; null when that release deployed it first. */
  | { readonly known: true; readonly services: Readonly<Record<string, unknown>> };

/** The record's name and data keys, as the program's DeploymentRecord writes them. */
const RECORD_NAME = "safe-deploy-record";
const SERVICE_PREFIX = "service.";

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * What each service ran before its release, from the DeploymentRecord this
 * update registers. For a service the update leaves as it was, the record
 * keeps the `from` of its last release, so the change judged is the one that
 * release made, and the verdict is the one it got then.
 */
export function previousRecord(args: StackValidationArgs): PreviousRecord {
  const record = args.resources.find((resource) => resource.type === TYPES.configMap && str(at(resource.props, "metadata", "name")) === RECORD_NAME);
  if (record === undefined) return { known: false };
  const data = entries(at(record.props, "data"));
  if (data === UNKNOWN) return { known: false };
  const services: Record<string, unknown> = {};
  for (const [key, value] of data) {
    if (!key.startsWith(SERVICE_PREFIX)) continue;
    const text = str(value);
    const service = typeof text === "string" ? parsed(text) : undefined;
    if (service === null || typeof service !== "object" || !("from" in service)) return { known: false };
    services[key.slice(SERVICE_PREFIX.length)] = plain((service as { from: unknown }).from);
  }
  return { known: true, services };
}

/** What `service` ran before its release (its `live` output then), or undefined when it was first deployed or is not recorded. */
export function previousLive(record: PreviousRecord, service: string): unknown {
  if (!record.known) return undefined;
  return record.services[service] ?? undefined;
}

/** The versions a `live` output says take traffic: a canary only while it has a share. */
export function servingVersions(live: unknown): string[] {
  const strategy = at(live, "strategy");
  if (strategy === "canary") {
    const stable = at(live, "stable", "version");
    const canary = at(live, "canary", "version");
    const weight = at(live, "canary", "weight");
    return [stable, ...(typeof weight === "number" && weight > 0 ? [canary] : [])].filter((v): v is string => typeof v === "string");
  }
  const version = at(live, "version");
  return typeof version === "string" ? [version] : [];
}
