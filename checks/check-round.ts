// One round of the checks against a target: health, version, then each critical request, in
// that order, stopping at the first that fails (a later check says little once health fails).
import type { CriticalRequest } from "./critical-request";
import { probe, type ProbeRequest, type ProbeResponse } from "./http-probe";
import { judgeCritical, judgeHealth, judgeVersion, type Verdict } from "./judge";

export interface SmokeSpec {
  /** The target, e.g. `http://127.0.0.1:8080` or `https://green.payments.example.com`. */
  readonly baseUrl: string;
  readonly expectedVersion: string;
  /** The service's health path (`--health-path`, the stack's `healthPath`). */
  readonly healthPath: string;
  /** The service's version path (`--version-path`, the stack's `versionPath`). */
  readonly versionPath: string;
  /** Checked after health and version, in order; none: only those two. */
  readonly requests: readonly CriticalRequest[];
  /** The bound on each request (`--timeout`, the stack's `checks.smoke.timeoutSeconds`). */
  readonly requestTimeoutMs: number;
}

export interface CheckResult {
  /** `health`, `version`, or `critical request 'NAME'`. */
  readonly check: string;
  readonly method: string;
  readonly url: string;
  readonly ok: boolean;
  /** Why it failed, in words; empty when it passed. */
  readonly why: string;
  /** The status that came back; undefined when nothing did. */
  readonly status: number | undefined;
  /** The first bytes of the body that came back. */
  readonly bodyStart: string;
  readonly elapsedMs: number;
  /** Failed only because the caller's deadline left it less than its usual time bound. */
  readonly cutByDeadline: boolean;
}

/** Why a check did not run: the caller's deadline came first. */
export const DEADLINE_REACHED = "deadline reached before this check ran";

/** How much of a body a report quotes. */
export const BODY_START_CHARS = 200;

interface Check {
  readonly name: string;
  readonly request: Omit<ProbeRequest, "timeoutMs">;
  readonly judge: (response: ProbeResponse) => Verdict;
}

export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}${path}`;
}

function encodeBody(request: CriticalRequest): { body?: string; headers: Record<string, string> } {
  const headers = { ...request.headers };
  if (request.body === undefined) return { headers };
  if (typeof request.body === "string") return { body: request.body, headers };
  const hasContentType = Object.keys(headers).some((name) => name.toLowerCase() === "content-type");
  if (!hasContentType) headers["content-type"] = "application/json";
  return { body: JSON.stringify(request.body), headers };
}

export function checksOf(spec: SmokeSpec): Check[] {
  return [
    { name: "health", request: { url: joinUrl(spec.baseUrl, spec.healthPath) }, judge: judgeHealth },
    {
      name: "version",
      request: { url: joinUrl(spec.baseUrl, spec.versionPath) },
      judge: (response) => judgeVersion(response, spec.expectedVersion),
    },
    ...spec.requests.map((request): Check => ({
      name: `critical request '${request.name}'`,
      request: { url: joinUrl(spec.baseUrl, request.path), method: request.method, ...encodeBody(request) },
      judge: (response) => judgeCritical(response, request),
    })),
  ];
}

/**
 * Runs the checks once. `deadline` (a performance.now() time) clips each request's bound, so a
 * round never outlasts the caller's deadline by more than a request's set-up.
 */
export async function runRound(spec: SmokeSpec, deadline = Number.POSITIVE_INFINITY): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checksOf(spec)) {
    const left = deadline - performance.now();
    const timeoutMs = Math.min(spec.requestTimeoutMs, left);
    const method = check.request.method ?? "GET";
    const base = { check: check.name, method, url: check.request.url };
    if (timeoutMs <= 0) {
      results.push({ ...base, ok: false, why: DEADLINE_REACHED, status: undefined, bodyStart: "", elapsedMs: 0, cutByDeadline: true });
      break;
    }
    const answer = await probe({ ...check.request, timeoutMs });
    if (answer.kind === "failure") {
      results.push({ ...base, ok: false, why: answer.reason, status: undefined, bodyStart: "", elapsedMs: answer.elapsedMs, cutByDeadline: answer.timedOut && left < spec.requestTimeoutMs });
      break;
    }
    const verdict = check.judge(answer);
    const bodyStart = answer.body.slice(0, BODY_START_CHARS);
    results.push({ ...base, ok: verdict.ok, why: verdict.ok ? "" : verdict.why, status: answer.status, bodyStart, elapsedMs: answer.elapsedMs, cutByDeadline: false });
    if (!verdict.ok) break;
  }
  return results;
}

/** The check that failed in a round, if one did. */
export const failedCheck = (round: readonly CheckResult[]): CheckResult | undefined => round.find((result) => !result.ok);
