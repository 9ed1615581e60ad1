// The canary analysis: from the counts of both tracks so far, window by
// window, decide `pass`, `fail` or `inconclusive`, with the numbers behind it.
// Pure: the caller brings the counts (from Prometheus, or a simulation).
//
// Two checks, each a sequential ratio test (statistics/sequential-ratio-test.ts,
// after Lindon et al., KDD 2022), valid however often the analysis is run:
// - errors: the canary's error rate against the stable's;
// - latency: the canary's share of requests slower than the stable's p99
//   (statistics/latency-histogram.ts) against the stable's.
// Each fails when the evidence that the canary is worse than tolerated
// reaches 1/alpha (alpha split between the checks), and that decision is
// final. Too little traffic, missing or NaN metrics: `inconclusive`, never
// `fail` and never `pass`.
import { addBuckets, histogramQuantile, histogramTotal, slowBound, slowerThan, type Bucket } from "./statistics/latency-histogram";
import { rateInterval, type RateInterval } from "./statistics/rate-interval";
import { ratioEvidence, type RatioWindow } from "./statistics/sequential-ratio-test";

export type CanaryDecision = "pass" | "fail" | "inconclusive";

/** What one track served in one window (counts may be fractional: Prometheus' increase() extrapolates). */
export interface TrackCounts {
  readonly requests: number;
  readonly errors: number;
  /** Cumulative histogram buckets of the window's request durations, in seconds. @default - no latency data */
  readonly latency?: readonly Bucket[];
}

/** One window between two looks. */
export interface AnalysisWindow {
  /** End of the window, Unix seconds. */
  readonly end: number;
  readonly stable: TrackCounts;
  readonly canary: TrackCounts;
}

/** Per-service settings (the stack config's `analysis`, defaults resolved). */
export interface AnalysisSettings {
  /** 1 - the chance of a false `fail` (and of a false early `pass`) over the whole analysis. */
  readonly confidence: number;
  /** Tolerated: the canary's error rate up to this many times the stable's. */
  readonly maxErrorRatio: number;
  /** Tolerated: the canary's share of slow requests up to this many times the stable's. */
  readonly maxSlowRatio: number;
  /** Slow means slower than this quantile of the stable's latency (0.99: its p99). */
  readonly latencyQuantile: number;
  /** Canary requests needed before a `pass`. */
  readonly minCanaryRequests: number;
  /** After this long, a canary with enough traffic and no evidence against it passes. */
  readonly maxDurationSeconds: number;
  /** Whether latency is checked (needs histogram buckets). */
  readonly checkLatency: boolean;
}

export interface AnalysisInput {
  readonly windows: readonly AnalysisWindow[];
  /** Seconds since the canary (at this version) started taking traffic. */
  readonly elapsedSeconds: number;
  readonly settings: AnalysisSettings;
  /** Why the metrics cannot be trusted now (unreachable, empty, NaN); any makes the decision `inconclusive`. @default [] */
  readonly problems?: readonly string[];
}

export interface TrackSummary {
  readonly requests: number;
  readonly errors: number;
  /** The error rate and its anytime-valid interval at the analysis' confidence. */
  readonly errorRate: RateInterval;
  /** The latency quantile the analysis watches (seconds), from the histogram. */
  readonly latencyQuantileSeconds?: number;
}

export interface CheckResult {
  readonly check: "errors" | "latency";
  /** The tolerated ratio, canary to stable. */
  readonly tolerated: number;
  /** The ratio seen so far, canary to stable (undefined while the stable has none). */
  readonly observedRatio?: number;
  /** Evidence that the canary is worse than tolerated (an e-value; the largest so far). */
  readonly against: number;
  /** Evidence that it is within tolerance. */
  readonly within: number;
  /** Either evidence decides at this value (1/alpha for this check). */
  readonly threshold: number;
  readonly verdict: "worse" | "within" | "undecided";
  /** Latency only: the bucket bound (seconds) past which a request counts as slow. */
  readonly slowBoundSeconds?: number;
  /** Latency only: slow requests of each track. */
  readonly slow?: { readonly stable: number; readonly canary: number };
}

export interface CanaryAnalysis {
  readonly decision: CanaryDecision;
  /** Why, in words, most important first. */
  readonly reasons: readonly string[];
  readonly stable: TrackSummary;
  readonly canary: TrackSummary;
  readonly checks: readonly CheckResult[];
  readonly traffic: { readonly canaryRequests: number; readonly minCanaryRequests: number; readonly missingCanaryRequests: number };
  readonly elapsedSeconds: number;
  readonly maxDurationSeconds: number;
  readonly confidence: number;
  readonly method: string;
}

export const METHOD =
  "sequential ratio tests on counts (Lindon, Sanden and Shirikian, KDD 2022): errors, and requests slower than the stable's latency quantile; " +
  "mixture e-values with Ville's inequality, valid at every look";

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function errorWindows(windows: readonly AnalysisWindow[]): RatioWindow[] {
  return windows.map((w) => ({
    canaryEvents: w.canary.errors,
    canaryRequests: w.canary.requests,
    stableEvents: w.stable.errors,
    stableRequests: w.stable.requests,
  }));
}

/**
 * Slow requests per window, against a bound chosen from the stable's
 * histogram of the windows before (so the bound never depends on the window
 * it judges: the test stays valid). Windows without a bound, or whose
 * histograms lack it, count for nothing.
 */
function latencyWindows(windows: readonly AnalysisWindow[], quantile: number): { windows: RatioWindow[]; bound?: number } {
  const out: RatioWindow[] = [];
  let stableSoFar: Bucket[] = [];
  let bound: number | undefined;
  for (const w of windows) {
    bound = slowBound(stableSoFar, quantile) ?? bound;
    const stable = w.stable.latency ?? [];
    const canary = w.canary.latency ?? [];
    const known = bound !== undefined && [stable, canary].every((h) => h.some((b) => b.le === bound));
    if (known && bound !== undefined) {
      out.push({
        canaryEvents: slowerThan(canary, bound),
        canaryRequests: histogramTotal(canary),
        stableEvents: slowerThan(stable, bound),
        stableRequests: histogramTotal(stable),
      });
    }
    stableSoFar = addBuckets([stableSoFar, stable]);
  }
  return bound === undefined ? { windows: out } : { windows: out, bound };
}

function observedRatio(windows: readonly RatioWindow[]): number | undefined {
  const canaryRate = sum(windows.map((w) => w.canaryEvents)) / sum(windows.map((w) => w.canaryRequests));
  const stableRate = sum(windows.map((w) => w.stableEvents)) / sum(windows.map((w) => w.stableRequests));
  const ratio = canaryRate / stableRate;
  return Number.isFinite(ratio) ? ratio : undefined;
}

function check(name: CheckResult["check"], windows: readonly RatioWindow[], tolerated: number, alpha: number): CheckResult {
  const threshold = 1 / alpha;
  const against = ratioEvidence(windows, tolerated, "above").max;
  const within = ratioEvidence(windows, tolerated, "below").max;
  const verdict = against >= threshold ? "worse" : within >= threshold ? "within" : "undecided";
  const ratio = observedRatio(windows);
  return { check: name, tolerated, ...(ratio === undefined ? {} : { observedRatio: ratio }), against, within, threshold, verdict };
}

function summary(windows: readonly AnalysisWindow[], track: "stable" | "canary", alpha: number, quantile: number): TrackSummary {
  const requests = sum(windows.map((w) => w[track].requests));
  const errors = sum(windows.map((w) => w[track].errors));
  const latency = histogramQuantile(addBuckets(windows.map((w) => w[track].latency ?? [])), quantile);
  return { requests, errors, errorRate: rateInterval(errors, requests, alpha), ...(latency === undefined ? {} : { latencyQuantileSeconds: latency }) };
}

function percent(rate: number): string {
  return `${(100 * rate).toFixed(2)}%`;
}

/** An e-value for people: two decimals below 10, whole up to a million, then a power of ten. */
export function formatEvidence(value: number): string {
  if (value < 10) return value.toFixed(2);
  if (value < 1e6) return value.toFixed(0);
  return `1e${Math.floor(Math.log10(value))}`;
}

function describeWorse(result: CheckResult, quantile: number): string {
  const seen = result.observedRatio === undefined ? "with none on the stable" : `${result.observedRatio.toFixed(1)}x the stable's`;
  const what = result.check === "errors" ? "error rate" : `share of requests slower than the stable's p${Math.round(quantile * 100)} (${result.slowBoundSeconds ?? "?"} s)`;
  return `canary ${what} is ${seen}; the evidence that it is above the tolerated ${result.tolerated}x is ${formatEvidence(result.against)} (fails at ${formatEvidence(result.threshold)})`;
}

/** The decision and its numbers. Call it again with more windows as often as you like: it stays valid. */
export function analyzeCanary(input: AnalysisInput): CanaryAnalysis {
  const { settings, windows } = input;
  // Rounded: 1 - 0.95 is 0.050000000000000044 in floating point, and a threshold of 39.99999999999996 reads badly.
  const alpha = Math.round((1 - settings.confidence) * 1e12) / 1e12;
  // Each check gets its share of alpha, so all of them together are wrong at most alpha of the time.
  const checkAlpha = settings.checkLatency ? alpha / 2 : alpha;
  const errors = check("errors", errorWindows(windows), settings.maxErrorRatio, checkAlpha);
  const checks: CheckResult[] = [errors];
  if (settings.checkLatency) {
    const slow = latencyWindows(windows, settings.latencyQuantile);
    const latency = check("latency", slow.windows, settings.maxSlowRatio, checkAlpha);
    const slowCounts = { stable: sum(slow.windows.map((w) => w.stableEvents)), canary: sum(slow.windows.map((w) => w.canaryEvents)) };
    checks.push({ ...latency, ...(slow.bound === undefined ? {} : { slowBoundSeconds: slow.bound }), slow: slowCounts });
  }
  const stable = summary(windows, "stable", alpha, settings.latencyQuantile);
  const canary = summary(windows, "canary", alpha, settings.latencyQuantile);
  const missing = Math.max(0, Math.ceil(settings.minCanaryRequests - canary.requests));
  const base = {
    stable,
    canary,
    checks,
    traffic: { canaryRequests: canary.requests, minCanaryRequests: settings.minCanaryRequests, missingCanaryRequests: missing },
    elapsedSeconds: input.elapsedSeconds,
    maxDurationSeconds: settings.maxDurationSeconds,
    confidence: settings.confidence,
    method: METHOD,
  };
  const decide = (decision: CanaryDecision, reasons: string[]): CanaryAnalysis => ({ decision, reasons, ...base });

  const problems = input.problems ?? [];
  if (problems.length > 0) return decide("inconclusive", [...problems]);

  const worse = checks.filter((c) => c.verdict === "worse");
  if (worse.length > 0) return decide("fail", worse.map((c) => describeWorse(c, settings.latencyQuantile)));

  if (missing > 0) {
    return decide("inconclusive", [
      `too little traffic to know: the canary served ${canary.requests.toFixed(0)} of the ${settings.minCanaryRequests} requests needed (${missing} missing)`,
    ]);
  }
  if (checks.every((c) => c.verdict === "within")) {
    return decide("pass", [`evidence that the canary is within tolerance on ${checks.map((c) => c.check).join(" and ")}`]);
  }
  if (input.elapsedSeconds >= settings.maxDurationSeconds) {
    return decide("pass", [
      `ran its full ${settings.maxDurationSeconds} s with ${canary.requests.toFixed(0)} canary requests and no evidence that it is worse ` +
        `(canary error rate ${percent(canary.errorRate.rate)}, stable ${percent(stable.errorRate.rate)})`,
    ]);
  }
  const left = Math.max(0, Math.ceil(settings.maxDurationSeconds - input.elapsedSeconds));
  return decide("inconclusive", [`no evidence either way yet: keep watching (${left} s left of ${settings.maxDurationSeconds} s)`]);
}
