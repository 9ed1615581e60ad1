// Benchmark (not a test): our canary analysis beside the rules Flagger and
// Argo Rollouts document, on the same simulated canaries in the same run, at
// the runbook's volumes (1,000 requests a minute, canary at 10%), our method
// looking every 10 s:
//   - the runbook's bad canary (5.2% errors against 0.4%): time and canary
//     requests until `fail` (median, 95th percentile), and how many never fail;
//   - healthy canaries (0.4% both): how many are failed, each watched 30 minutes;
//   - 10 requests a minute, healthy and bad: how often each says fail, pass,
//     inconclusive after 30 minutes.
//
// The peers, each written from its documentation (no code of theirs):
//   - Flagger: `request-success-rate` with `thresholdRange.min: 99` (an error
//     rate above 1%) over a 1-minute metric interval, checked every analysis
//     `interval` (1m by default), rollback once failed checks reach
//     `threshold: 5`; a query with no values ("no values found for metric")
//     is a failed check too. Also shown with interval 10s (the same looks as ours).
//   - Argo Rollouts: `successCondition: result[0] >= 0.95` on the success rate
//     over the last minute, `interval: 1m`, `failureLimit: 3` (the analysis
//     fails when failed measurements exceed it, i.e. at the 4th); a NaN
//     result (no requests) fails the condition, so it is a failed measurement.
//   Neither has "inconclusive": a canary not rolled back by the end is promoted (pass).
//
//   tools/run npm run bench:canary          (BENCH_CANARIES=1000 by default)
import { defaultCanaryAnalysis } from "../config/canary-analysis";
import { analyzeCanary, type AnalysisSettings, type AnalysisWindow, type CanaryDecision } from "../analysis/canary-analysis";
import { HEALTHY, simulateWindows, type TrafficScenario } from "../test/support/canary-traffic";

const CANARIES = Number(process.env["BENCH_CANARIES"] ?? 1000);
const WINDOW_SECONDS = 10;
const HALF_HOUR = 1800 / WINDOW_SECONDS;

/** The stack config's defaults (config/canary-analysis.ts), read from there so the two cannot drift. */
const OURS: AnalysisSettings = defaultCanaryAnalysis();

interface Outcome {
  readonly decision: CanaryDecision;
  /** Seconds of canary traffic until `fail`, if it failed. */
  readonly failAtSeconds?: number;
  /** Canary requests served until `fail`. */
  readonly failAtRequests?: number;
}

interface Method {
  readonly name: string;
  readonly judge: (windows: readonly AnalysisWindow[]) => Outcome;
}

function canaryRequestsUntil(windows: readonly AnalysisWindow[], count: number): number {
  return windows.slice(0, count).reduce((sum, w) => sum + w.canary.requests, 0);
}

function failedAt(windows: readonly AnalysisWindow[], count: number): Outcome {
  return { decision: "fail", failAtSeconds: count * WINDOW_SECONDS, failAtRequests: canaryRequestsUntil(windows, count) };
}

/** Ours, looked at after every window. `fail` never reverts, so the first one is found by bisection. */
function ours(windows: readonly AnalysisWindow[]): Outcome {
  const at = (count: number) => analyzeCanary({ windows: windows.slice(0, count), elapsedSeconds: count * WINDOW_SECONDS, settings: OURS }).decision;
  const final = at(windows.length);
  if (final !== "fail") return { decision: final };
  let notYet = 0;
  let failed = windows.length;
  while (failed - notYet > 1) {
    const mid = (notYet + failed) >> 1;
    if (at(mid) === "fail") failed = mid;
    else notYet = mid;
  }
  return failedAt(windows, failed);
}

/** The canary's errors and requests over the `lookback` windows ending with window `end` (exclusive index). */
function lastWindows(windows: readonly AnalysisWindow[], end: number, lookback: number): { requests: number; errors: number } {
  const slice = windows.slice(Math.max(0, end - lookback), end);
  return { requests: slice.reduce((s, w) => s + w.canary.requests, 0), errors: slice.reduce((s, w) => s + w.canary.errors, 0) };
}

/**
 * A threshold rule checked every `everyWindows` windows on the last minute:
 * a check fails when `failed(requests, errors)`; the rule aborts once failed
 * checks reach `abortAt`.
 */
function thresholdRule(everyWindows: number, abortAt: number, failed: (requests: number, errors: number) => boolean) {
  const minute = 60 / WINDOW_SECONDS;
  return (windows: readonly AnalysisWindow[]): Outcome => {
    let failures = 0;
    for (let end = everyWindows; end <= windows.length; end += everyWindows) {
      const { requests, errors } = lastWindows(windows, end, minute);
      if (failed(requests, errors)) failures++;
      if (failures >= abortAt) return failedAt(windows, end);
    }
    return { decision: "pass" };
  };
}

// Flagger: success rate below 99% (or no values) is a failed check; rollback at 5 failed checks.
const flaggerCheck = (requests: number, errors: number) => requests === 0 || 100 * (1 - errors / requests) < 99;
// Argo Rollouts: result[0] >= 0.95 must hold; NaN (no requests) does not; Failed when failures > failureLimit 3.
const argoCheck = (requests: number, errors: number) => !(requests > 0 && 1 - errors / requests >= 0.95);

const METHODS: readonly Method[] = [
  { name: "safe-deploy (sequential, every 10 s)", judge: ours },
  { name: "Flagger (1% over 1m, interval 1m, threshold 5)", judge: thresholdRule(6, 5, flaggerCheck) },
  { name: "Flagger, interval 10s", judge: thresholdRule(1, 5, flaggerCheck) },
  { name: "Argo Rollouts (95% over 1m, interval 1m, failureLimit 3)", judge: thresholdRule(6, 4, argoCheck) },
];

const RUNBOOK: TrafficScenario = { requestsPerMinute: 1000, canaryShare: 0.1, windowSeconds: WINDOW_SECONDS, stable: HEALTHY, canary: HEALTHY };
const BAD: TrafficScenario = { ...RUNBOOK, canary: { ...HEALTHY, errorRate: 0.052 } };

function quantile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function outcomes(scenario: TrafficScenario, seedBase: number): Outcome[][] {
  const perMethod: Outcome[][] = METHODS.map(() => []);
  for (let i = 0; i < CANARIES; i++) {
    const windows = simulateWindows(scenario, HALF_HOUR, seedBase + i);
    METHODS.forEach((m, j) => perMethod[j]?.push(m.judge(windows)));
  }
  return perMethod;
}

function share(list: readonly Outcome[], decision: CanaryDecision): number {
  return (100 * list.filter((o) => o.decision === decision).length) / list.length;
}

const fmt = (value: number | undefined, unit = ""): string => (value === undefined ? "never" : `${Math.round(value)}${unit}`);
const ratio = (peer: number | undefined, ourValue: number | undefined): string =>
  peer === undefined || ourValue === undefined || ourValue === 0 ? "" : ` (${(peer / ourValue).toFixed(1)}x)`;

function table(title: string, header: readonly string[], rows: readonly (readonly string[])[]): void {
  console.log(`\n${title}\n`);
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => "---").join("|")}|`);
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
}

function main(): void {
  const started = performance.now();
  console.log(`canary analysis benchmark: ${CANARIES} simulated canaries per scenario, 1,000 requests/min, canary at 10%, 30 minutes each`);

  const bad = outcomes(BAD, 100_000);
  const badStats = bad.map((list) => {
    const times = list.flatMap((o) => (o.failAtSeconds === undefined ? [] : [o.failAtSeconds])).sort((a, b) => a - b);
    const requests = list.flatMap((o) => (o.failAtRequests === undefined ? [] : [o.failAtRequests])).sort((a, b) => a - b);
    return { median: quantile(times, 0.5), p95: quantile(times, 0.95), reqMedian: quantile(requests, 0.5), reqP95: quantile(requests, 0.95), never: 100 - share(list, "fail") };
  });
  const [ourBad] = badStats;
  table(
    "Runbook bad canary (5.2% errors against 0.4%): time and canary requests until fail (ratio to ours)",
    ["method", "median", "p95", "canary requests, median", "canary requests, p95", "never failed in 30 min"],
    METHODS.map((m, i) => {
      const s = badStats[i];
      return [
        m.name,
        fmt(s?.median, " s") + (i === 0 ? "" : ratio(s?.median, ourBad?.median)),
        fmt(s?.p95, " s") + (i === 0 ? "" : ratio(s?.p95, ourBad?.p95)),
        fmt(s?.reqMedian) + (i === 0 ? "" : ratio(s?.reqMedian, ourBad?.reqMedian)),
        fmt(s?.reqP95) + (i === 0 ? "" : ratio(s?.reqP95, ourBad?.reqP95)),
        `${(s?.never ?? 0).toFixed(1)}%`,
      ];
    }),
  );

  const healthy = outcomes(RUNBOOK, 200_000);
  const ourFalse = share(healthy[0] ?? [], "fail");
  table(
    "Healthy canaries (0.4% errors both): failed when nothing is wrong, each watched 30 minutes (ratio to ours)",
    ["method", "false fails", "pass", "inconclusive"],
    METHODS.map((m, i) => {
      const list = healthy[i] ?? [];
      const falseFails = share(list, "fail");
      const vs = i === 0 ? "" : ourFalse === 0 ? (falseFails > 0 ? " (ours: none)" : "") : ratio(falseFails, ourFalse);
      return [m.name, `${falseFails.toFixed(1)}% (${list.filter((o) => o.decision === "fail").length} of ${list.length})${vs}`, `${share(list, "pass").toFixed(1)}%`, `${share(list, "inconclusive").toFixed(1)}%`];
    }),
  );

  const ourThinFails: number[] = [];
  for (const [label, scenario, seed] of [
    ["healthy", { ...RUNBOOK, requestsPerMinute: 10 }, 300_000],
    ["bad (5.2% against 0.4%)", { ...BAD, requestsPerMinute: 10 }, 400_000],
  ] as const) {
    const thin = outcomes(scenario, seed);
    ourThinFails.push(share(thin[0] ?? [], "fail"));
    table(
      `10 requests/min (1 a minute on the canary), ${label}: decision after 30 minutes`,
      ["method", "fail", "pass", "inconclusive"],
      METHODS.map((m, i) => {
        const list = thin[i] ?? [];
        return [m.name, `${share(list, "fail").toFixed(1)}%`, `${share(list, "pass").toFixed(1)}%`, `${share(list, "inconclusive").toFixed(1)}%`];
      }),
    );
  }

  console.log("\nGoals for ours:");
  console.log(`  bad canary failed within 60 s of traffic at the median: ${fmt(ourBad?.median, " s")} (${(ourBad?.median ?? Infinity) <= 60 ? "met" : "not met"})`);
  console.log(`  fewer than 1% false fails on healthy canaries: ${ourFalse.toFixed(1)}% (${ourFalse < 1 ? "met" : "not met"})`);
  const thinFails = Math.max(...ourThinFails);
  console.log(`  "inconclusive", never "fail", at 10 requests/min: ${thinFails.toFixed(1)}% fail, healthy or bad (${thinFails === 0 ? "met" : "not met"})`);
  console.log(`\n${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main();
