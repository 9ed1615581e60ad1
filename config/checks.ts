// The stack config of the checks that run inside `pulumi up` (checks/ is the
// checker): per service, where each slot, track or the live Service is reached,
// the critical requests, the smoke deadline and the verify window; per stack,
// the team's webhook and the secrets critical requests may carry.
import { z } from "zod";
import { criticalRequestSchema } from "../checks/critical-request";
import { SECRET_REFERENCE, secretReferences } from "../checks/secret-references";

/** Where the checker reaches the service: a blue-green slot, a canary track, or the live Service. */
export const CHECK_TARGETS = ["blue", "green", "stable", "canary", "live"] as const;
export type CheckTarget = (typeof CHECK_TARGETS)[number];

const httpUrlSchema = z.url({ protocol: /^https?$/, message: "must be an http(s) URL such as http://payment-service-green.production.svc or https://green.payments.example.com" });

/** Header names that carry credentials: their value must come from `safe-deploy:checkSecrets`. */
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key|api-key)$/i;

const checkedRequestSchema = criticalRequestSchema.superRefine((request, ctx) => {
  for (const [header, value] of Object.entries(request.headers)) {
    if (CREDENTIAL_HEADER.test(header) && secretReferences(value).length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["headers", header],
        message: `must not hold a credential in plain text: put it in safe-deploy:checkSecrets (pulumi config set --secret --path 'checkSecrets.TOKEN' ...) and write "Bearer \${TOKEN}"`,
      });
    }
  }
});

export const checksSchema = z.strictObject({
  /**
   * A URL per target: `blue`/`green` (each slot's own Service), `canary`/`stable`
   * (each track), `live` (the live Service). Blue-green needs the slot traffic
   * switches to; canary needs `canary`; rolling needs `live`.
   * @default {}
   */
  urls: z.partialRecord(z.enum(CHECK_TARGETS, { message: `must be one of ${CHECK_TARGETS.join(", ")}` }), httpUrlSchema).default({}),
  /** Requests that must answer as expected, after health and version. `${NAME}` in a header or a string body is `checkSecrets.NAME`. @default [] */
  criticalRequests: z.array(checkedRequestSchema).max(20).default([]),
  smoke: z
    .strictObject({
      /** The smoke test's overall bound while the target comes up. @default 120 */
      deadlineSeconds: z.int().min(5).max(1800).default(120),
      /** The bound on each request. @default 5 */
      timeoutSeconds: z.int().min(1).max(60).default(5),
    })
    // Each field's default fills an absent block: written once, on the field.
    .prefault({}),
  verify: z
    .strictObject({
      /** Between two rounds. @default 10 */
      everySeconds: z.int().min(1).max(600).default(10),
      /** How long rounds run after a switch or rollout; a rollback runs one round. @default 300 */
      forSeconds: z.int().min(1).max(3600).default(300),
      /** Rounds that may fail before verify fails. @default 0 */
      errorBudget: z.int().min(0).max(100).default(0),
    })
    // The checker starts ceil(forSeconds / everySeconds) rounds (checks/verify.ts): a window shorter than
    // one round verifies once, and a budget of every round lets a service that never answers through.
    .superRefine((verify, ctx) => {
      if (verify.forSeconds < verify.everySeconds) {
        ctx.addIssue({ code: "custom", path: ["forSeconds"], message: `must be at least everySeconds (${verify.everySeconds}): a window shorter than one round checks once` });
        return;
      }
      const rounds = Math.ceil(verify.forSeconds / verify.everySeconds);
      if (verify.errorBudget >= rounds) {
        ctx.addIssue({ code: "custom", path: ["errorBudget"], message: `must be below the ${rounds} rounds of the window (forSeconds ${verify.forSeconds} / everySeconds ${verify.everySeconds}): a budget of every round never fails` });
      }
    })
    .prefault({}),
  /** Post start, success and failure to `safe-deploy:webhookUrl` (when set). @default true */
  notify: z.boolean().default(true),
  /** Linked from each message. @default - none */
  dashboardUrl: httpUrlSchema.optional(),
});

/** A name a critical request refers to as `${NAME}`: it becomes an environment variable of the checker. */
const secretNameSchema = z.string().regex(/^[A-Z][A-Z0-9_]*$/, { message: "must be an upper-case name such as PAYMENT_TOKEN (it becomes an environment variable)" });

/** Stack-level keys, merged into the stack config schema. Set both with `--secret`: the program keeps them Pulumi secrets. */
export const checkStackFields = {
  /** The team's Slack-compatible incoming webhook. @default - no notifications */
  webhookUrl: httpUrlSchema.optional(),
  /** Values critical requests refer to as `${NAME}` (bearer tokens). @default {} */
  checkSecrets: z.record(secretNameSchema, z.string().min(1)).default({}),
};

export type ChecksConfig = z.infer<typeof checksSchema>;

export interface CheckIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** The URL the service's strategy needs (strategies/), and references to secrets the stack defines; paths are under `services.<name>`. */
export function checksIssues(
  checks: ChecksConfig | undefined,
  needed: { readonly target: CheckTarget; readonly why: string } | undefined,
  secrets: Readonly<Record<string, string>>,
): CheckIssue[] {
  const issues: CheckIssue[] = [];
  if (checks === undefined) return issues;
  if (needed !== undefined && checks.urls[needed.target] === undefined) {
    issues.push({ path: ["checks", "urls", needed.target], message: `is required: ${needed.why}` });
  }
  checks.criticalRequests.forEach((request, index) => {
    const texts: [string[], string][] = Object.entries(request.headers).map(([header, value]) => [["headers", header], value]);
    if (typeof request.body === "string") texts.push([["body"], request.body]);
    for (const [path, text] of texts) {
      for (const name of secretReferences(text)) {
        if (secrets[name] === undefined) {
          issues.push({ path: ["checks", "criticalRequests", index, ...path], message: `refers to \${${name}}, which safe-deploy:checkSecrets does not define (pulumi config set --secret --path 'checkSecrets.${name}' ...)` });
        }
      }
    }
    if (SECRET_REFERENCE.test(request.path)) {
      issues.push({ path: ["checks", "criticalRequests", index, "path"], message: "must not refer to a secret: paths are printed in reports; send it in a header" });
    }
  });
  return issues;
}
