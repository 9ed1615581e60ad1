// The shape of a critical request in a requests file: what to send and what must come back.
import { z } from "zod";

/** A JSON field path with dots (`payment.status`), and the value it must hold. */
const expectedFields = z.record(z.string().min(1), z.unknown());

export const criticalRequestSchema = z
  .object({
    /** Named in the report (`critical request 'create payment'`). */
    name: z.string().min(1),
    /** @default "GET" */
    method: z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]).default("GET"),
    /** Relative to the target URL; starts with `/`. */
    path: z.string().startsWith("/", "must start with '/'"),
    /** @default {} */
    headers: z.record(z.string(), z.string()).default({}),
    /** A string is sent as is; anything else as JSON (with `content-type: application/json` unless set). */
    body: z.unknown().optional(),
    /** @default 200 */
    expectStatus: z.number().int().min(100).max(599).default(200),
    /** @default {} - the status alone decides */
    expectJson: expectedFields.default({}),
  })
  .strict();

export type CriticalRequest = z.infer<typeof criticalRequestSchema>;

export const criticalRequestsSchema = z.array(criticalRequestSchema);

/** Parses a requests file's text, naming each bad entry by its index and key. */
export function parseCriticalRequests(text: string, source: string): CriticalRequest[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = criticalRequestsSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join(".") || "(top)"}: ${issue.message}`);
  throw new Error(`${source}: not a list of critical requests:\n${problems.join("\n")}`);
}
