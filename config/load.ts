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

/** `safe-deploy:services.recommendation-engine.canaryWeight`: the form `pulumi config set --path` takes. */
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

/** What a JSON type is called in a message. */
const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a map of settings",
  record: "a map",
};

/**
 * zod's messages in our words, for every bound and type that a schema does
 * not word itself ("must be at least 30 (got 10)", not "Too small: expected
 * number to be >=30").
 */
function ourWords(issue: z.core.$ZodRawIssue): string | undefined {
  const got = issue.input === undefined ? "" : ` (got ${JSON.stringify(issue.input)})`;
  switch (issue.code) {
    case "invalid_type": {
      const wanted = TYPE_WORDS[issue.expected] ?? issue.expected;
      return issue.input === undefined ? `is required (${wanted})` : `must be ${wanted}${got}`;
    }
    case "too_small": {
      const bound = Number(issue.minimum);
      if (issue.origin === "string") return bound === 1 ? `must not be empty` : `must be at least ${bound} characters${got}`;
      if (issue.origin === "array" || issue.origin === "set") return `must list at least ${bound}`;
      return `must be ${issue.inclusive === false ? "above" : "at least"} ${bound}${got}`;
    }
    case "too_big": {
      const bound = Number(issue.maximum);
      if (issue.origin === "string") return `must be at most ${bound} characters${got}`;
      if (issue.origin === "array" || issue.origin === "set") return `must list at most ${bound}`;
      return `must be ${issue.inclusive === false ? "below" : "at most"} ${bound}${got}`;
    }
    case "invalid_key":
      // A record key its schema refused: that schema's own words.
      return issue.issues.map((inner) => inner.message).join("; ");
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => `'${String(v)}'`).join(", ")}${got}`;
    default:
      return undefined;
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => `${configKeyPath([...issue.path, key])}: is not a known setting (check its spelling)`).join("\n  - ");
  }
  return `${configKeyPath(issue.path)}: ${issue.message}`;
}

export function parseStackConfig(raw: Readonly<Record<string, unknown>>): StackConfig {
  // reportInput: so a message can tell a missing key from one of the wrong type, and quote what was given.
  const result = stackConfigSchema.safeParse(raw, { reportInput: true, error: ourWords });
  if (!result.success) throw new StackConfigError(result.error.issues.map(describeIssue));
  return result.data;
}
