// Turns the stack's raw config (`safe-deploy:*` keys) into a typed StackConfig,
// or one error that lists every bad key path and what was expected, thrown
// before the program registers any resource.
import { z } from "zod";
import { stackConfigSchema, type StackConfig } from "./schema";

export const CONFIG_NAMESPACE = "safe-deploy";

export class StackConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid stack config, nothing was deployed:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "StackConfigError";
  }
}

/** `safe-deploy:services[2].canaryWeight`: the form `pulumi config set --path` takes. */
export function configKeyPath(path: readonly PropertyKey[]): string {
  let out = CONFIG_NAMESPACE;
  path.forEach((segment, i) => {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += `${i === 0 ? ":" : "."}${String(segment)}`;
  });
  return out;
}

/** Pulumi hands every top-level value over as a string; objects and lists as JSON. */
function decodeValue(value: string): unknown {
  if (value === "true") return true;
  if (value === "false") return false;
  if (value.startsWith("{") || value.startsWith("[")) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

/** Picks the `safe-deploy:` keys out of the whole config map (as `pulumi.runtime.allConfig()` returns it). */
export function rawConfigFromAll(all: Readonly<Record<string, string>>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    if (key.startsWith(`${CONFIG_NAMESPACE}:`)) raw[key.slice(CONFIG_NAMESPACE.length + 1)] = decodeValue(value);
  }
  return raw;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => `${configKeyPath([...issue.path, key])}: is not a known setting (check its spelling)`).join("\n  - ");
  }
  if (issue.code === "invalid_type") {
    return issue.input === undefined
      ? `${configKeyPath(issue.path)}: is required (expected ${issue.expected})`
      : `${configKeyPath(issue.path)}: must be a ${issue.expected} (got ${JSON.stringify(issue.input)})`;
  }
  return `${configKeyPath(issue.path)}: ${issue.message}`;
}

export function parseStackConfig(raw: Readonly<Record<string, unknown>>): StackConfig {
  // reportInput: so a message can tell a missing key from one of the wrong type.
  const result = stackConfigSchema.safeParse(raw, { reportInput: true });
  if (!result.success) throw new StackConfigError(result.error.issues.map(describeIssue));
  return result.data;
}
