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
import { readLive, readServices, type LiveOutput, type Read, type ServiceOutput } from "./outputs-contract";
import { at, entries, plain, str, UNKNOWN } from "./values";

function rootStack(args: StackValidationArgs): PolicyResource | undefined {
  return args.resources.find((resource) => resource.type === TYPES.stack);
}

/** The `services` output this update produces, read through the outputs' contract; undefined when the stack has none. */
export function currentServices(args: StackValidationArgs): Read<Readonly<Record<string, ServiceOutput>>> | undefined {
  const services = plain(at(rootStack(args)?.props, "services"));
  return services === undefined ? undefined : readServices(services);
}

export type PreviousRecord =
  /** The stack keeps no record of what served before (no DeploymentRecord, one written before `from`, or one that does not read). */
  | { readonly known: false; readonly reason: string }
  /** Per service, its `live` before its release (read through the outputs' contract); null when that release deployed it first. */
  | { readonly known: true; readonly services: Readonly<Record<string, LiveOutput | null>> };

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
  const none = "the stack keeps no record of what served before (the DeploymentRecord's `from`)";
  if (record === undefined) return { known: false, reason: none };
  const data = entries(at(record.props, "data"));
  if (data === UNKNOWN) return { known: false, reason: `${none}: its data is not known yet` };
  const services: Record<string, LiveOutput | null> = {};
  for (const [key, value] of data) {
    if (!key.startsWith(SERVICE_PREFIX)) continue;
    const name = key.slice(SERVICE_PREFIX.length);
    const text = str(value);
    const service = typeof text === "string" ? parsed(text) : undefined;
    if (service === null || typeof service !== "object" || !("from" in service)) return { known: false, reason: `${none} for ${name}` };
    const from = plain((service as { from: unknown }).from);
    if (from === null) {
      services[name] = null;
      continue;
    }
    const live = readLive(from);
    if (!live.known) return { known: false, reason: `the DeploymentRecord's \`from\` of ${name}: ${live.reason}` };
    services[name] = live.value;
  }
  return { known: true, services };
}

/** What `service` ran before its release (its `live` output then), or undefined when it was first deployed or is not recorded. */
export function previousLive(record: PreviousRecord, service: string): LiveOutput | undefined {
  if (!record.known) return undefined;
  return record.services[service] ?? undefined;
}

/** The versions a `live` output says take traffic: a canary only while it has a share. */
export function servingVersions(live: LiveOutput | undefined): string[] {
  if (live === undefined) return [];
  // The pack never imports the program's strategies (strategies/), so it keeps this one fact per strategy.
  if (live.strategy === "canary") return [live.stable.version, ...(live.canary.version !== null && live.canary.weight > 0 ? [live.canary.version] : [])];
  return [live.version];
}
