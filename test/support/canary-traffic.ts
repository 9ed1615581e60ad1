// Simulated canary traffic, seeded so that every run (and every failure)
// reproduces: requests per window are Poisson, each request fails with its
// track's error rate, and its duration is log-normal. Shared by the seeded
// simulation tests and the canary analysis benchmark.
import type { Bucket } from "../../analysis/statistics/latency-histogram";
import type { AnalysisSettings, AnalysisWindow, TrackCounts } from "../../analysis/canary-analysis";

/** The settings the decision tests pin (the stack config's defaults today, written out so a changed default is seen). */
export const PINNED_SETTINGS: AnalysisSettings = {
  confidence: 0.95,
  maxErrorRatio: 1.5,
  maxSlowRatio: 1.5,
  latencyQuantile: 0.99,
  minCanaryRequests: 500,
  maxDurationSeconds: 1800,
  checkLatency: true,
};

/** prom-client's default histogram buckets, in seconds. */
export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** A small, fast, seeded generator (mulberry32): numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Poisson by inversion (small means) or a rounded normal (large means, where the two agree). */
export function poisson(random: () => number, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(random)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

/** A standard normal draw (Box-Muller). */
export function normal(random: () => number): number {
  const u = Math.max(random(), Number.MIN_VALUE);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

export interface TrackBehaviour {
  /** Fraction of requests that fail (5xx). */
  readonly errorRate: number;
  /** Median request duration, seconds. */
  readonly medianSeconds: number;
  /** 99th percentile of request duration, seconds. */
  readonly p99Seconds: number;
}

export interface TrafficScenario {
  /** Requests per minute to the service, both tracks together. */
  readonly requestsPerMinute: number;
  /** Share of requests the canary gets, 0..1. */
  readonly canaryShare: number;
  readonly stable: TrackBehaviour;
  readonly canary: TrackBehaviour;
  /** Seconds between looks. */
  readonly windowSeconds: number;
  /** Histogram bucket bounds; none leaves latency out (faster). @default DEFAULT_BUCKETS */
  readonly buckets?: readonly number[];
}

/** The healthy baseline of the runbook: 0.4% errors, 50 ms median, 200 ms p99. */
export const HEALTHY: TrackBehaviour = { errorRate: 0.004, medianSeconds: 0.05, p99Seconds: 0.2 };

/** z of the 99th percentile of a standard normal. */
const Z99 = 2.3263478740408408;

function track(random: () => number, mean: number, behaviour: TrackBehaviour, bounds: readonly number[]): TrackCounts {
  const requests = poisson(random, mean);
  let errors = 0;
  const counts = bounds.map(() => 0);
  const sigma = Math.log(behaviour.p99Seconds / behaviour.medianSeconds) / Z99;
  for (let i = 0; i < requests; i++) {
    if (random() < behaviour.errorRate) errors++;
    if (bounds.length === 0) continue;
    const seconds = behaviour.medianSeconds * Math.exp(sigma * normal(random));
    bounds.forEach((bound, j) => {
      if (seconds <= bound) counts[j] = (counts[j] ?? 0) + 1;
    });
  }
  if (bounds.length === 0) return { requests, errors };
  const latency: Bucket[] = [...bounds.map((le, j) => ({ le, count: counts[j] ?? 0 })), { le: Infinity, count: requests }];
  return { requests, errors, latency };
}

/** The windows of one simulated canary, `windows` long, from `seed`. */
export function simulateWindows(scenario: TrafficScenario, windows: number, seed: number): AnalysisWindow[] {
  const random = seededRandom(seed);
  const bounds = scenario.buckets ?? DEFAULT_BUCKETS;
  const perWindow = (scenario.requestsPerMinute * scenario.windowSeconds) / 60;
  const out: AnalysisWindow[] = [];
  for (let i = 1; i <= windows; i++) {
    out.push({
      end: i * scenario.windowSeconds,
      stable: track(random, perWindow * (1 - scenario.canaryShare), scenario.stable, bounds),
      canary: track(random, perWindow * scenario.canaryShare, scenario.canary, bounds),
    });
  }
  return out;
}
