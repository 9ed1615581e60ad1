// `safe-deploy rollback SERVICE --to UPDATE|VERSION`: the service's config as
// an earlier update of the stack history had it, and the `config set --path`
// and `config rm --path` changes that bring today's config back to it.
import type { Stack, UpdateSummary } from "@pulumi/pulumi/automation";
import { serviceSchema, strategyOf } from "../strategies/registry";
import { numberedUpdates, servicesIn } from "./history";

type Entry = Pick<UpdateSummary, "version" | "kind" | "result" | "config">;

export interface EarlierConfig {
  /** The update it comes from (numbered as `safe-deploy history` numbers them). */
  readonly update: number;
  /** The version that update brought into traffic. */
  readonly version: string;
  readonly image: string;
  /** The service's config then, as the stack file held it. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/**
 * The config `service` had at the update `to` names: an update number, or a
 * version (the newest update that brought it into traffic). Only an update
 * that succeeded counts: its version served. Throws, saying why, when none.
 */
export function earlierConfig(entries: readonly Entry[], service: string, to: string): EarlierConfig {
  const numbered = numberedUpdates(entries).sort((a, b) => b.version - a.version);
  const byNumber = /^[0-9]+$/.test(to) ? Number(to) : undefined;
  for (const entry of numbered) {
    if (byNumber !== undefined && entry.version !== byNumber) continue;
    const raw = servicesIn(entry)?.[service];
    const parsed = serviceSchema.safeParse(raw);
    const version = parsed.success ? strategyOf({ ...parsed.data, name: service }).releaseVersions({ ...parsed.data, name: service }).version : undefined;
    if (byNumber === undefined && version !== to) continue;
    if (entry.kind !== "update" || entry.result !== "succeeded") throw new Error(`update ${entry.version} did not succeed (${entry.kind}: ${entry.result}): only a succeeded update's version served`);
    if (!parsed.success || version === undefined) throw new Error(`update ${entry.version} has no config of ${service} this version of safe-deploy reads`);
    return { update: entry.version, version, image: parsed.data.image, raw: raw as Record<string, unknown> };
  }
  throw new Error(byNumber === undefined ? `no succeeded update of the stack history brought ${service} ${to} into traffic` : `the stack history has no update ${to}`);
}

/** The leaves of a config value by `--path` (`resources.limits.cpu`, `migration.command[0]`). */
function leaves(value: unknown, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (Array.isArray(value)) {
    value.forEach((child, i) => {
      for (const [path, leaf] of leaves(child, `${prefix}[${i}]`)) out.set(path, leaf);
    });
  } else if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) for (const [path, leaf] of leaves(child, prefix === "" ? key : `${prefix}.${key}`)) out.set(path, leaf);
  } else if (prefix !== "") {
    out.set(prefix, value);
  }
  return out;
}

export interface ConfigChanges {
  /** `--path` keys under `services.<name>` to set, with their values as text. */
  readonly set: Readonly<Record<string, string>>;
  /** `--path` keys under `services.<name>` to remove. */
  readonly remove: readonly string[];
}

/** What turns the service's config `now` into `then`, key by key. */
export function configChanges(now: unknown, then: unknown): ConfigChanges {
  const current = leaves(now);
  const wanted = leaves(then);
  const set: Record<string, string> = {};
  for (const [path, value] of wanted) {
    if (JSON.stringify(current.get(path)) !== JSON.stringify(value)) set[path] = typeof value === "string" ? value : JSON.stringify(value);
  }
  // Removed last-first, so a list's later elements go before its earlier ones.
  return { set, remove: [...current.keys()].filter((path) => !wanted.has(path)).reverse() };
}

/** Makes `changes` to the stack config of `service`, as `pulumi config set-all --path` and `config rm --path` make them (values typed as they type them). */
export async function applyServiceConfig(stack: Stack, service: string, changes: ConfigChanges): Promise<void> {
  const key = (path: string) => `safe-deploy:services.${service}.${path}`;
  if (Object.keys(changes.set).length > 0) await stack.setAllConfig(Object.fromEntries(Object.entries(changes.set).map(([path, value]) => [key(path), { value }])), true);
  if (changes.remove.length > 0) await stack.removeAllConfig(changes.remove.map(key), true);
}

/** Keys to set and remove (a release step, a strategy's restore) as the changes applyServiceConfig makes: values as text, as typed. */
export function changesOf(step: { readonly set: Readonly<Record<string, string | number | boolean>>; readonly remove?: readonly string[] }): ConfigChanges {
  return { set: Object.fromEntries(Object.entries(step.set).map(([key, value]) => [key, String(value)])), remove: step.remove ?? [] };
}

/** One service's config as the stack holds it (`safe-deploy:services.<name>`), before any parsing. */
export function serviceRaw(config: Readonly<Record<string, string>>, service: string): unknown {
  return (JSON.parse(config["safe-deploy:services"] ?? "{}") as Record<string, unknown>)[service];
}
