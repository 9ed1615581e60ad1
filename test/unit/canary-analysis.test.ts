// The canary analysis decision over tables of counts: what it decides, why,
// and the numbers behind it; and the pieces it is made of.
import { describe, expect, it } from "vitest";
import { analyzeCanary, type AnalysisWindow, type TrackCounts } from "../../analysis/canary-analysis";
import { histogramQuantile, slowBound, slowerThan, type Bucket } from "../../analysis/statistics/latency-histogram";
import { logGamma, logSumExp } from "../../analysis/statistics/log-math";
import { promDuration, renderQuery, templatePlaceholders } from "../../analysis/promql-template";
import { rateInterval } from "../../analysis/statistics/rate-interval";
import { PINNED_SETTINGS } from "../support/canary-traffic";
import { canaryShare, ratioEvidence, windowLogRatio } from "../../analysis/statistics/sequential-ratio-test";

const SETTINGS = PINNED_SETTINGS;

/** A histogram whose requests split over 0.1 / 0.25 / 0.5 s as the shares say (the rest slower). */
function histogram(requests: number, shares: readonly [number, number, number]): Bucket[] {
  let cumulative = 0;
  const buckets = [0.1, 0.25, 0.5].map((le, i) => {
    cumulative += requests * (shares[i] ?? 0);
    return { le, count: cumulative };
  });
  return [...buckets, { le: Infinity, count: requests }];
}

/** Most requests under 0.1 s, 1% past 0.25 s: the p99 sits at the 0.25 s bound. */
const FAST: readonly [number, number, number] = [0.9, 0.09, 0.01];
/** The same service with its tail doubled: 10% past 0.25 s. */
const SLOW_TAIL: readonly [number, number, number] = [0.8, 0.1, 0.1];

function track(requests: number, errorRate: number, shares = FAST): TrackCounts {
  return { requests, errors: requests * errorRate, latency: histogram(requests, shares) };
}

/**
 * `count` 10-second windows at the runbook's volumes (1,000 requests a
 * minute, canary at 10%), each with exactly its expected counts.
 */
function windows(count: number, canary: { errorRate: number; shares?: readonly [number, number, number] }, requestsPerMinute = 1000): AnalysisWindow[] {
  const perWindow = requestsPerMinute / 6;
  return Array.from({ length: count }, (_, i) => ({
    end: 10 * (i + 1),
    stable: track(perWindow * 0.9, 0.004),
    canary: track(perWindow * 0.1, canary.errorRate, canary.shares ?? FAST),
  }));
}

describe("canary analysis decision", () => {
  it("is inconclusive with no data, naming the traffic still missing", () => {
    const result = analyzeCanary({ windows: [], elapsedSeconds: 0, settings: SETTINGS });
    expect(result.decision).toBe("inconclusive");
    expect(result.reasons).toEqual(["too little traffic to know: the canary served 0 of the 500 requests needed (500 missing)"]);
    expect(result.traffic).toEqual({ canaryRequests: 0, minCanaryRequests: 500, missingCanaryRequests: 500 });
  });

  it("fails the runbook's bad canary (5.2% against 0.4%) within its first minute of traffic", () => {
    const result = analyzeCanary({ windows: windows(6, { errorRate: 0.052 }), elapsedSeconds: 60, settings: SETTINGS });
    expect(result.decision).toBe("fail");
    expect(result.reasons).toHaveLength(1);
    expect(result.reasons[0]).toMatch(/^canary error rate is 13\.0x the stable's; the evidence that it is above the tolerated 1\.5x is (\d+|1e\d+) \(fails at 40\)$/);
    expect(result.canary.errorRate.rate).toBeCloseTo(0.052, 6);
    expect(result.stable.errorRate.rate).toBeCloseTo(0.004, 6);
  });

  it("fails before the minimum traffic when the evidence is there: thin traffic is no excuse for strong evidence", () => {
    const result = analyzeCanary({ windows: windows(6, { errorRate: 0.5 }), elapsedSeconds: 60, settings: SETTINGS });
    expect(result.traffic.missingCanaryRequests).toBeGreaterThan(0);
    expect(result.decision).toBe("fail");
  });

  it("fails a canary whose p99 doubled while its error rate is the stable's", () => {
    const result = analyzeCanary({ windows: windows(12, { errorRate: 0.004, shares: SLOW_TAIL }), elapsedSeconds: 120, settings: SETTINGS });
    expect(result.decision).toBe("fail");
    const [errors, latency] = result.checks;
    expect(errors?.verdict).not.toBe("worse");
    expect(latency).toMatchObject({ check: "latency", verdict: "worse", slowBoundSeconds: 0.25 });
    expect(latency?.observedRatio).toBeCloseTo(10, 6);
    expect(result.reasons[0]).toMatch(/^canary share of requests slower than the stable's p99 \(0\.25 s\) is 10\.0x the stable's/);
  });

  it("does not check latency when checkLatency is false", () => {
    const result = analyzeCanary({ windows: windows(12, { errorRate: 0.004, shares: SLOW_TAIL }), elapsedSeconds: 120, settings: { ...SETTINGS, checkLatency: false } });
    expect(result.checks.map((c) => c.check)).toEqual(["errors"]);
    expect(result.decision).toBe("inconclusive");
  });

  it("keeps watching a healthy canary with enough traffic before the maximum duration", () => {
    const result = analyzeCanary({ windows: windows(60, { errorRate: 0.004 }), elapsedSeconds: 600, settings: SETTINGS });
    expect(result.decision).toBe("inconclusive");
    expect(result.reasons).toEqual(["no evidence either way yet: keep watching (1200 s left of 1800 s)"]);
  });

  it("passes a healthy canary at the maximum duration, with the numbers behind it", () => {
    const result = analyzeCanary({ windows: windows(180, { errorRate: 0.004 }), elapsedSeconds: 1800, settings: SETTINGS });
    expect(result.decision).toBe("pass");
    expect(result.reasons).toEqual(["ran its full 1800 s with 3000 canary requests and no evidence that it is worse (canary error rate 0.40%, stable 0.40%)"]);
    expect(result.canary.errorRate.low).toBeLessThan(0.004);
    expect(result.canary.errorRate.high).toBeGreaterThan(0.004);
    expect(result.checks.every((c) => c.against < c.threshold)).toBe(true);
  });

  it("passes early once the evidence shows the canary within tolerance", () => {
    // A service with more errors to count (4%) gives the evidence sooner.
    const result = analyzeCanary({
      windows: Array.from({ length: 60 }, (_, i) => ({ end: 10 * (i + 1), stable: track(1500, 0.04), canary: track(500, 0.04) })),
      elapsedSeconds: 600,
      settings: SETTINGS,
    });
    expect(result.checks.map((c) => c.verdict)).toEqual(["within", "within"]);
    expect(result.decision).toBe("pass");
    expect(result.reasons).toEqual(["evidence that the canary is within tolerance on errors and latency"]);
  });

  it("is inconclusive, never pass, when traffic is too thin (10 requests a minute for 30 minutes)", () => {
    const result = analyzeCanary({ windows: windows(180, { errorRate: 0.004 }, 10), elapsedSeconds: 1800, settings: SETTINGS });
    expect(result.decision).toBe("inconclusive");
    expect(result.reasons).toEqual(["too little traffic to know: the canary served 30 of the 500 requests needed (470 missing)"]);
  });

  it("is inconclusive, never fail, when the metrics cannot be trusted, whatever the counts say", () => {
    const problems = ["Prometheus at http://127.0.0.1:9 did not answer within 2000 ms"];
    const result = analyzeCanary({ windows: windows(12, { errorRate: 0.052 }), elapsedSeconds: 120, settings: SETTINGS, problems });
    expect(result.decision).toBe("inconclusive");
    expect(result.reasons).toEqual(problems);
  });

  it("keeps a fail once reached, however the later windows look", () => {
    const bad = windows(6, { errorRate: 0.3 });
    const thenHealthy = windows(120, { errorRate: 0.004 }).map((w, i) => ({ ...w, end: 70 + 10 * i }));
    const result = analyzeCanary({ windows: [...bad, ...thenHealthy], elapsedSeconds: 1800, settings: SETTINGS });
    expect(result.decision).toBe("fail");
  });

  it("reports the method it uses", () => {
    expect(analyzeCanary({ windows: [], elapsedSeconds: 0, settings: SETTINGS }).method).toMatch(/Lindon, Sanden and Shirikian, KDD 2022/);
  });
});

describe("sequential ratio test", () => {
  const window = { canaryEvents: 5, canaryRequests: 100, stableEvents: 4, stableRequests: 900 };

  it.each([
    [1, 0.1],
    [1.5, 150 / 1050],
    [9, 0.5],
  ])("gives the canary the share rho n_c / (rho n_c + n_s) of the events at rho %f", (rho, share) => {
    expect(canaryShare(rho, window)).toBeCloseTo(share, 12);
  });

  it.each([
    ["no canary requests", { ...window, canaryRequests: 0 }],
    ["no stable requests", { ...window, stableRequests: 0 }],
    ["no events", { ...window, canaryEvents: 0, stableEvents: 0 }],
  ])("learns nothing from a window with %s", (_why, w) => {
    expect(windowLogRatio(3, 1.5, w)).toBe(0);
  });

  it("gathers evidence against the null when the canary has more than its share of events", () => {
    expect(windowLogRatio(6, 1.5, window)).toBeGreaterThan(0);
    expect(windowLogRatio(0.5, 1.5, window)).toBeLessThan(0);
  });

  it("stays at 1 with no windows and reports its whole path", () => {
    expect(ratioEvidence([], 1.5, "above")).toEqual({ path: [], current: 1, max: 1 });
    const evidence = ratioEvidence([window, window, window], 1.5, "above");
    expect(evidence.path).toHaveLength(3);
    expect(evidence.max).toBe(Math.max(1, ...evidence.path));
  });
});

describe("rate interval (anytime-valid)", () => {
  it.each([
    [4, 1000],
    [52, 1000],
    [0.5, 3],
    [300, 300],
  ])("contains the observed rate of %f in %f", (events, requests) => {
    const interval = rateInterval(events, requests, 0.05);
    expect(interval.low).toBeLessThanOrEqual(interval.rate);
    expect(interval.high).toBeGreaterThanOrEqual(interval.rate);
    expect(interval.rate).toBeCloseTo(events / requests, 12);
  });

  it("starts at 0 with no events and ends at 1 with no successes", () => {
    expect(rateInterval(0, 100, 0.05).low).toBe(0);
    expect(rateInterval(100, 100, 0.05).high).toBe(1);
    expect(rateInterval(0, 0, 0.05)).toEqual({ rate: 0, low: 0, high: 1 });
  });

  it("narrows with more requests and widens with more confidence", () => {
    const few = rateInterval(4, 1000, 0.05);
    const many = rateInterval(40, 10_000, 0.05);
    const sure = rateInterval(4, 1000, 0.001);
    expect(many.high - many.low).toBeLessThan(few.high - few.low);
    expect(sure.high - sure.low).toBeGreaterThan(few.high - few.low);
  });
});

describe("latency histogram", () => {
  const buckets = histogram(1000, FAST);

  it("counts the requests past a bound", () => {
    expect(slowerThan(buckets, 0.25)).toBeCloseTo(10, 9);
    expect(slowerThan(buckets, 0.1)).toBeCloseTo(100, 9);
  });

  it.each([
    [0.99, 0.25],
    [0.9, 0.1],
    [0.5, 0.1],
    [0.999, 0.5],
  ])("puts the slow bound for quantile %f at the bucket at or above it (%f s)", (quantile, bound) => {
    expect(slowBound(buckets, quantile)).toBe(bound);
  });

  it("has no slow bound and no quantile without data", () => {
    expect(slowBound([], 0.99)).toBeUndefined();
    expect(histogramQuantile([{ le: 0.1, count: 0 }, { le: Infinity, count: 0 }], 0.99)).toBeUndefined();
  });

  it.each([
    [0.5, 0.1 * (500 / 900)],
    [0.95, 0.1 + 0.15 * (50 / 90)],
    [0.99, 0.25],
  ])("interpolates quantile %f inside its bucket as histogram_quantile() does", (quantile, seconds) => {
    expect(histogramQuantile(buckets, quantile)).toBeCloseTo(seconds, 9);
  });
});

describe("PromQL templates", () => {
  it("fills every placeholder and escapes quotes and backslashes in label values", () => {
    const query = renderQuery('x{app="{{app}}",version="{{ version }}"}[{{interval}}]', { app: 'a"b\\c', version: "canary", namespace: "ns", interval: promDuration(30) });
    expect(query).toBe('x{app="a\\"b\\\\c",version="canary"}[30s]');
  });

  it("lists the placeholders a template uses", () => {
    expect(templatePlaceholders("{{app}} {{version}} {{app}} {{ foo }}")).toEqual(["app", "version", "foo"]);
  });
});

describe("log-space numerics", () => {
  it.each([
    [1, 0],
    [5, Math.log(24)],
    [0.5, Math.log(Math.sqrt(Math.PI))],
    [100, 359.13420536957540],
  ])("log Γ(%f)", (x, expected) => {
    expect(logGamma(x)).toBeCloseTo(expected, 9);
  });

  it("sums exponentials without overflow", () => {
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.log(2), 12);
  });
});
