// The rules of the environment's policy config (policy/config/<environment>.json)
// that the program can apply by itself, read from the same file the pack is
// attached with, so the program's own gate and the pack judge by one set of
// rules: with a self-managed backend nothing attaches the pack to a stack, and
// the gate must hold for a plain `pulumi up` too. Data only: the program never
// imports the pack's code, nor the pack the program's.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

export type EnforcementLevel = "mandatory" | "advisory" | "remediate" | "disabled";

export interface ChecklistRules {
  readonly level: EnforcementLevel;
  /** Items waived in this environment whatever they say, each with why. */
  readonly waivers: Readonly<Record<string, string>>;
  /** Items waived in stack config (safe-deploy:checklistWaivers) count. */
  readonly acceptStackWaivers: boolean;
  /** The items a rollback is judged by. */
  readonly rollbackItems: readonly string[];
}

export interface ReplicaRules {
  readonly level: EnforcementLevel;
  readonly minReplicas: number;
}

export interface PolicyRules {
  /** Where they were read, for messages. */
  readonly source: string;
  readonly checklist: ChecklistRules;
  readonly replicas: ReplicaRules;
}

const levelSchema = z.enum(["mandatory", "advisory", "remediate", "disabled"]);
/** A policy's entry: a bare level, or an object with `enforcementLevel` and its settings; read as the object either way. */
function entrySchema<T extends z.ZodRawShape>(settings: T) {
  const entry = z.looseObject({ enforcementLevel: levelSchema.optional(), ...settings });
  return z.union([levelSchema.transform((enforcementLevel): z.infer<typeof entry> => entry.parse({ enforcementLevel })), entry]).optional();
}

// The pack's defaults (policy/policies/enforce-pre-deployment-checklist.ts, enforce-minimum-replicas.ts);
// a test holds the two to the same values.
export const CHECKLIST_DEFAULTS = { waivers: {}, acceptStackWaivers: true, rollbackItems: ["artifacts-present"] } as const;
export const MIN_REPLICAS_DEFAULT = 2;

const policyConfigSchema = z.looseObject({
  "enforce-pre-deployment-checklist": entrySchema({
    waivers: z.record(z.string(), z.string()).optional(),
    acceptStackWaivers: z.boolean().optional(),
    rollbackItems: z.array(z.string()).optional(),
  }),
  "enforce-minimum-replicas": entrySchema({ minReplicas: z.number().int().min(1).optional() }),
});

/** The rules in a policy config's JSON text; a policy the file leaves out is mandatory with its defaults, as in the pack. */
export function policyRulesOf(text: string, source: string): PolicyRules {
  const parsed = policyConfigSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${source}: not a policy config safe-deploy can read: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const checklist = parsed.data["enforce-pre-deployment-checklist"] ?? {};
  const replicas = parsed.data["enforce-minimum-replicas"] ?? {};
  return {
    source,
    checklist: {
      level: checklist.enforcementLevel ?? "mandatory",
      waivers: checklist.waivers ?? CHECKLIST_DEFAULTS.waivers,
      acceptStackWaivers: checklist.acceptStackWaivers ?? CHECKLIST_DEFAULTS.acceptStackWaivers,
      rollbackItems: checklist.rollbackItems ?? CHECKLIST_DEFAULTS.rollbackItems,
    },
    replicas: {
      level: replicas.enforcementLevel ?? "mandatory",
      minReplicas: replicas.minReplicas ?? MIN_REPLICAS_DEFAULT,
    },
  };
}

/** The policy config the pack is attached with in `environment`, relative to the project. */
export const policyConfigPath = (environment: string): string => join("policy", "config", `${environment}.json`);

/** Reads the environment's policy config from the project directory. */
export function readPolicyRules(environment: string, projectDir: string): PolicyRules {
  const path = policyConfigPath(environment);
  return policyRulesOf(readFileSync(join(projectDir, path), "utf8"), path);
}
