// The program's stack outputs, read through their contract: the JSON Schema
// the program exports (lib/stack-outputs.ts packContract; a unit test holds
// stack-outputs.schema.json to it byte for byte), parsed with zod as the
// program parses them. What does not parse is unknown, with the reason:
// never trusted, never a crash. The pack never imports the program, so it
// reads this copy; zod is loaded only when a stack policy first reads one.
import type { ZodType } from "zod";
import contract from "./stack-outputs.schema.json";
import { containsUnknown } from "./values";

/** A value read through the contract: known, or unknown with the reason. */
export type Read<T> = { readonly known: true; readonly value: T } | { readonly known: false; readonly reason: string };

/** The fields of a live state the pack judges by (the contract holds the rest too). */
export type LiveOutput =
  | { readonly strategy: "rolling"; readonly version: string }
  | { readonly strategy: "blue-green"; readonly slot: "blue" | "green"; readonly version: string }
  | {
      readonly strategy: "canary";
      readonly stable: { readonly version: string };
      readonly canary: { readonly version: string | null; readonly weight: number };
    };

/** The fields of one `services.<name>` output the pack judges by. */
export interface ServiceOutput {
  readonly strategy: string;
  readonly live: LiveOutput;
  readonly rollbackTarget: string | null;
}

let schemas: { readonly services: ZodType; readonly live: ZodType } | undefined;

function contractSchemas(): { readonly services: ZodType; readonly live: ZodType } {
  if (schemas === undefined) {
    // Loaded here, not at the top: a pass whose stack policies never read an output does not pay for it.
    const { z } = require("zod") as typeof import("zod");
    schemas = { services: z.fromJSONSchema(contract.services as never), live: z.fromJSONSchema(contract.live as never) };
  }
  return schemas;
}

function read<T>(schema: ZodType, value: unknown, what: string): Read<T> {
  if (value === undefined) return { known: false, reason: `${what} is absent` };
  if (containsUnknown(value)) return { known: false, reason: `${what} is not known yet (preview)` };
  const parsed = schema.safeParse(value);
  if (parsed.success) return { known: true, value: parsed.data as T };
  const issue = parsed.error.issues[0];
  const at = issue === undefined || issue.path.length === 0 ? "" : ` at ${[what, ...issue.path].join(".")}`;
  return { known: false, reason: `${what} is not in the shape this version of safe-deploy writes${at}: ${issue?.message ?? "invalid"}` };
}

/** The `services` output of the root Stack resource, by service name. */
export function readServices(value: unknown): Read<Readonly<Record<string, ServiceOutput>>> {
  return read(contractSchemas().services, value, "services");
}

/** A service's `live` state, as the `services` output or the DeploymentRecord's `from` holds it. */
export function readLive(value: unknown): Read<LiveOutput> {
  return read(contractSchemas().live, value, "live state");
}
