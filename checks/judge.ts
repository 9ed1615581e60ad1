// Whether one answer passes one check: pure functions over what came back, so every rule is
// tested without a server.
import { isDeepStrictEqual } from "node:util";
import type { CriticalRequest } from "./critical-request";
import type { ProbeResponse } from "./http-probe";

/** What a health body's `status` may say for the service to count as healthy (case-insensitive). */
export const HEALTHY_STATUSES: readonly string[] = ["ok", "healthy", "up", "pass", "green"];

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly why: string };

const pass: Verdict = { ok: true };
const fail = (why: string): Verdict => ({ ok: false, why });

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * 2xx, and when the body is a JSON object with a `status`, a healthy one: a 200 saying
 * `{"status":"degraded"}` is not healthy. A body without a status (plain `OK`) lets the code decide.
 */
export function judgeHealth(response: ProbeResponse): Verdict {
  if (response.status < 200 || response.status > 299) return fail(`expected a 2xx status, got ${response.status}`);
  const json = parseJson(response.body);
  if (!isObject(json) || !("status" in json)) return pass;
  const status = json.status;
  if (typeof status === "string" && HEALTHY_STATUSES.includes(status.toLowerCase())) return pass;
  return fail(`status is ${JSON.stringify(status)}, not one of ${HEALTHY_STATUSES.join(", ")}`);
}

/**
 * The version reported, from `{"version": "..."}` or a plain-text body: undefined when neither.
 */
export function reportedVersion(body: string): string | undefined {
  const json = parseJson(body);
  if (isObject(json)) return typeof json.version === "string" ? json.version : undefined;
  const text = body.trim();
  return text !== "" && !text.includes("\n") && json === undefined ? text : undefined;
}

/** 2xx and exactly the expected version: `3.2.0` is not `v3.2.0`, since the tag is what was deployed. */
export function judgeVersion(response: ProbeResponse, expected: string): Verdict {
  if (response.status < 200 || response.status > 299) return fail(`expected a 2xx status, got ${response.status}`);
  const reported = reportedVersion(response.body);
  if (reported === undefined) return fail(`no version in the body (expected {"version": "${expected}"} or the bare version)`);
  return reported === expected ? pass : fail(`reports version '${reported}', expected '${expected}'`);
}

/** The value at a dotted path (`payment.status`, `items.0.id`), or undefined. */
export function fieldAt(json: unknown, path: string): unknown {
  let here: unknown = json;
  for (const key of path.split(".")) {
    if (Array.isArray(here) && /^\d+$/.test(key)) here = here[Number(key)];
    else if (isObject(here) && Object.hasOwn(here, key)) here = here[key];
    else return undefined;
  }
  return here;
}

/** The expected status, then every expected JSON field, each named when it differs. */
export function judgeCritical(response: ProbeResponse, request: CriticalRequest): Verdict {
  if (response.status !== request.expectStatus) return fail(`expected status ${request.expectStatus}, got ${response.status}`);
  const fields = Object.entries(request.expectJson);
  if (fields.length === 0) return pass;
  const json = parseJson(response.body);
  if (json === undefined) return fail("expected a JSON body");
  const wrong = fields
    .filter(([path, expected]) => !isDeepStrictEqual(fieldAt(json, path), expected))
    .map(([path, expected]) => `${path} is ${JSON.stringify(fieldAt(json, path)) ?? "missing"}, expected ${JSON.stringify(expected)}`);
  return wrong.length === 0 ? pass : fail(wrong.join("; "));
}
