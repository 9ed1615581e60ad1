// Which failed round a smoke test reports: the target's answer, never the deadline's bookkeeping.
import { describe, expect, it } from "vitest";
import { DEADLINE_REACHED, type CheckResult } from "../../checks/check-round";
import { roundToReport } from "../../checks/smoke";

const result = (check: string, why: string, over: Partial<CheckResult> = {}): CheckResult => ({
  check,
  method: "GET",
  url: `http://127.0.0.1:8080/${check}`,
  ok: why === "",
  why,
  status: undefined,
  bodyStart: "",
  elapsedMs: 5,
  cutByDeadline: false,
  ...over,
});

const passed = (check: string) => result(check, "", { status: 200 });
const refused = [result("health", "connection refused (ECONNREFUSED)")];
const unhealthy = [result("health", "expected a 2xx status, got 503", { status: 503 })];
const cut = (ms: number) => [result("health", `no response within ${ms} ms`, { elapsedMs: ms, cutByDeadline: true })];
const notStarted = [result("health", DEADLINE_REACHED, { elapsedMs: 0, cutByDeadline: true })];
const versionNotStarted = [passed("health"), result("version", DEADLINE_REACHED, { elapsedMs: 0, cutByDeadline: true })];

describe("roundToReport", () => {
  it.each([
    ["the last answered round", [refused, unhealthy], unhealthy],
    ["an answered round over a later round cut by the deadline", [unhealthy, cut(40)], unhealthy],
    ["an answered round over a later round that could not start", [refused, notStarted], refused],
    ["an answered round over a later round whose second check could not start", [unhealthy, versionNotStarted], unhealthy],
    ["the longest cut wait when none was answered, not the last sliver", [cut(790), cut(1)], cut(790)],
    ["a cut wait over a round that could not start", [cut(790), notStarted], cut(790)],
    ["the bookkeeping only when no check ran at all", [notStarted], notStarted],
  ])("reports %s", (_, rounds, expected) => {
    expect(roundToReport(rounds)).toEqual(expected);
  });

  it("reports nothing for no failed round", () => {
    expect(roundToReport([])).toBeUndefined();
  });
});
