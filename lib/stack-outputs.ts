// The stack's outputs as one contract. The program builds its outputs through
// these schemas (program.ts), and everything that reads them back parses them
// here: the program its own last outputs, staging-first the staging stack's,
// the `safe-deploy` command any stack's. A reader never trusts a cast: an
// output that does not parse is `unknown`, with the reason, never a crash.
import { z } from "zod";
import { recordedChecklistSchema, type RecordedChecklist } from "../checklist/recorded-checklist";
import { environmentSchema } from "../config/fields";
import { liveStateSchema, STRATEGY_NAMES } from "../strategies/registry";
import type { CheckHistory } from "./check-history";
import type { RollbackPlan } from "./rollback";
import type { ServedService } from "./served";
import type { ServiceReport } from "./service-report";

export const rollbackPlanSchema = z.object({
  target: z.string(),
  quick: z.string(),
  pulumi: z.string(),
  verify: z.string(),
  expect: z.string(),
}) satisfies z.ZodType<RollbackPlan>;

/** `services.<name>`: what the config asks for, known before anything runs. */
export const serviceReportSchema = z.object({
  name: z.string(),
  strategy: z.enum(STRATEGY_NAMES),
  live: liveStateSchema,
  rollbackTarget: z.string().nullable(),
  rollback: rollbackPlanSchema.nullable(),
  migration: z.object({ job: z.string(), version: z.string(), kind: z.enum(["expand", "contract"]) }).nullable(),
}) satisfies z.ZodType<ServiceReport>;

/** `served.<name>`: what the service's ready objects serve (lib/served.ts). */
export const servedServiceSchema = z.object({
  versions: z.array(z.string()),
  migration: z.object({ job: z.string(), version: z.string(), completed: z.boolean() }).nullable(),
}) satisfies z.ZodType<ServedService>;

/** `checks.<name>`: what the service's checks remember between updates (lib/check-history.ts). */
export const checkHistorySchema = z.object({
  target: z.string(),
  version: z.string(),
  rollback: z.boolean(),
  served: z.array(z.string()),
}) satisfies z.ZodType<CheckHistory>;

/** Every output, by name. */
export const stackOutputsSchema = z.object({
  stack: z.string(),
  environment: environmentSchema,
  namespace: z.string(),
  services: z.record(z.string(), serviceReportSchema),
  runbook: z.string(),
  /** @default - absent without checks */
  checks: z.record(z.string(), checkHistorySchema).optional(),
  checklist: recordedChecklistSchema as z.ZodType<RecordedChecklist>,
  served: z.record(z.string(), servedServiceSchema),
});

export type StackOutputsData = z.infer<typeof stackOutputsSchema>;
export type OutputName = keyof StackOutputsData;

/** A value read back through the contract: known, or unknown with the reason. */
export type Read<T> = { readonly known: true; readonly value: T } | { readonly known: false; readonly reason: string };

/** `value` parsed by `schema`; `what` names it in the reason (`output services of stack production`). */
export function readThrough<T>(schema: z.ZodType<T>, value: unknown, what: string): Read<T> {
  if (value === undefined) return { known: false, reason: `${what} is absent` };
  const parsed = schema.safeParse(value);
  if (parsed.success) return { known: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const at = issue === undefined || issue.path.length === 0 ? "" : ` at ${issue.path.join(".")}`;
  return { known: false, reason: `${what} is not in the shape this version of safe-deploy reads${at}: ${issue?.message ?? "invalid"}` };
}

/** One output of a stack, read through the contract. */
export function readOutput<Name extends OutputName>(name: Name, value: unknown, stack: string): Read<StackOutputsData[Name]> {
  return readThrough(stackOutputsSchema.shape[name] as z.ZodType<StackOutputsData[Name]>, value, `output ${name} of stack ${stack}`);
}

/** One service's entry of a per-service output (`services`, `served`, `checks`) read by its entry schema; the other entries are not judged. */
export function readServiceEntry<T>(schema: z.ZodType<T>, output: unknown, service: string, what: string): Read<T> {
  if (output === null || typeof output !== "object" || Array.isArray(output)) return { known: false, reason: `${what} is ${output === undefined ? "absent" : "not a map by service"}` };
  return readThrough(schema, (output as Record<string, unknown>)[service], `${what}.${service}`);
}

/**
 * What the policy pack reads of the outputs (the `services` output on the
 * root Stack resource, and a `live` state the DeploymentRecord carries as
 * `from`), as JSON Schema. The pack never imports the program and must stay
 * self-contained (a published pack holds only policy/), so it reads a copy:
 * policy/lib/stack-outputs.schema.json, which test/unit/outputs-contract.test.ts
 * holds byte for byte to this. Extra keys pass, as zod's own parse strips them.
 */
export function packContract(): { readonly services: unknown; readonly live: unknown } {
  return {
    services: z.toJSONSchema(stackOutputsSchema.shape.services, { io: "input" }),
    live: z.toJSONSchema(liveStateSchema, { io: "input" }),
  };
}
