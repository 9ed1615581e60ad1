// Reads the shipped Pulumi.<stack>.yaml files the way the engine hands them to
// the program: every `safe-deploy:` key as a string, objects as JSON.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export const PROJECT_ROOT = join(__dirname, "..", "..");
export const STACKS = ["staging", "production"] as const;
export type StackName = (typeof STACKS)[number];

/** The stack file's config block as `pulumi.runtime.allConfig()` returns it. */
export function stackFileConfig(stack: string): Record<string, string> {
  const file = parse(readFileSync(join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
  return Object.fromEntries(
    Object.entries(file.config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
  );
}

/** The stack file's `safe-deploy:` keys as plain values, for the config parser. */
export function stackFileRaw(stack: string): Record<string, unknown> {
  const file = parse(readFileSync(join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
  return Object.fromEntries(Object.entries(file.config).map(([key, value]) => [key.replace(/^safe-deploy:/, ""), value]));
}

/** The namespace a shipped stack deploys to, as its file says. */
export function namespaceOf(stack: string): string {
  return String(stackFileRaw(stack)["namespace"]);
}
