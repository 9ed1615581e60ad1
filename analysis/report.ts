// The analysis as an on-call engineer reads it: the decision first, why, then
// the numbers behind it.
import { formatEvidence, type CanaryAnalysis, type CheckResult, type TrackSummary } from "./canary-analysis";

function pct(rate: number): string {
  return `${(100 * rate).toFixed(2)}%`;
}

/** An e-value, as the decision's reasons write it. */
export const evidence = formatEvidence;

function track(name: string, t: TrackSummary): string {
  const latency = t.latencyQuantileSeconds === undefined ? "" : `, p99 ${(1000 * t.latencyQuantileSeconds).toFixed(0)} ms`;
  return `  ${name.padEnd(7)} ${t.requests.toFixed(0).padStart(8)} requests, ${t.errors.toFixed(0)} errors: ${pct(t.errorRate.rate)} (interval ${pct(t.errorRate.low)} .. ${pct(t.errorRate.high)})${latency}`;
}

function check(c: CheckResult): string {
  const what = c.check === "errors" ? "errors " : `latency (slower than ${c.slowBoundSeconds ?? "?"} s)`;
  const ratio = c.observedRatio === undefined ? "n/a" : `${c.observedRatio.toFixed(2)}x`;
  return `  ${what}: canary/stable ${ratio}, tolerated ${c.tolerated}x; evidence worse ${evidence(c.against)}, within ${evidence(c.within)} (decides at ${evidence(c.threshold)}): ${c.verdict}`;
}

export function formatAnalysis(service: string, stack: string, result: CanaryAnalysis): string {
  return [
    `${result.decision.toUpperCase()}: canary of ${service} (stack ${stack}), after ${Math.round(result.elapsedSeconds)} s of ${result.maxDurationSeconds} s`,
    ...result.reasons.map((r) => `  - ${r}`),
    track("stable", result.stable),
    track("canary", result.canary),
    ...result.checks.map(check),
    `  traffic: ${result.traffic.canaryRequests.toFixed(0)} canary requests of ${result.traffic.minCanaryRequests} needed` +
      (result.traffic.missingCanaryRequests > 0 ? ` (${result.traffic.missingCanaryRequests} missing)` : ""),
    `  method: ${result.method}; confidence ${result.confidence}`,
  ].join("\n");
}
