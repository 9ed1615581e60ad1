// The canary analysis over many simulated canaries, seeded so that a failure
// reproduces (the seed is in the message). Counts, not clocks: nothing here
// is timed.
import { describe, expect, it } from "vitest";
import { analyzeCanary, type AnalysisWindow } from "../../analysis/canary-analysis";
import { ratioEvidence, type RatioWindow } from "../../analysis/statistics/sequential-ratio-test";
import { HEALTHY, PINNED_SETTINGS, simulateWindows, type TrafficScenario } from "../support/canary-traffic";

const SETTINGS = PINNED_SETTINGS;

/** The runbook's volumes: 1,000 requests a minute, canary at 10%, a look every 10 s. */
const RUNBOOK: TrafficScenario = { requestsPerMinute: 1000, canaryShare: 0.1, windowSeconds: 10, stable: HEALTHY, canary: HEALTHY };
const BAD = { ...RUNBOOK, canary: { ...HEALTHY, errorRate: 0.052 } };
/** 30 minutes of 10-second windows. */
const HALF_HOUR = 180;

function decisionAt(windows: readonly AnalysisWindow[], count: number) {
  return analyzeCanary({ windows: windows.slice(0, count), elapsedSeconds: count * 10, settings: SETTINGS }).decision;
}

/** The first window count at which the analysis says fail, looking after every window; undefined if never. */
function firstFail(windows: readonly AnalysisWindow[]): number | undefined {
  for (let count = 1; count <= windows.length; count++) if (decisionAt(windows, count) === "fail") return count;
  return undefined;
}

const seeds = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe("canary analysis on simulated canaries", () => {
  it("fails every one of 100 runbook bad canaries (5.2% against 0.4%) within 5 minutes, half of them within 60 s", () => {
    const times = seeds(1000, 100).map((seed) => {
      const fail = firstFail(simulateWindows(BAD, 30, seed));
      expect(fail, `seed ${seed}`).toBeDefined();
      return (fail ?? Infinity) * 10;
    });
    times.sort((a, b) => a - b);
    expect(times[49]).toBeLessThanOrEqual(60);
  });

  it("fails at most 1 in 100 healthy canaries, each looked at every 10 s for 30 minutes", () => {
    // Once fail, always fail (the evidence is a running maximum), so the last look tells whether any look failed.
    const failed = seeds(2000, 200).filter((seed) => decisionAt(simulateWindows(RUNBOOK, HALF_HOUR, seed), HALF_HOUR) === "fail");
    expect(failed.length, `seeds that failed: ${failed.join(", ")}`).toBeLessThanOrEqual(2);
  });

  it("never says fail when traffic is too thin to know (10 requests a minute), healthy or bad, and never pass either", () => {
    // Decisions only move away from inconclusive (fail is a running maximum; pass needs traffic and time,
    // which only grow, and gives way to nothing but fail), so inconclusive at the last look means at every look.
    for (const scenario of [{ ...RUNBOOK, requestsPerMinute: 10 }, { ...BAD, requestsPerMinute: 10 }]) {
      for (const seed of seeds(3000, 100)) {
        const decision = decisionAt(simulateWindows(scenario, HALF_HOUR, seed), HALF_HOUR);
        expect(decision, `seed ${seed}, canary error rate ${scenario.canary.errorRate}`).toBe("inconclusive");
      }
    }
  });

  it("fails every one of 50 canaries whose p99 doubled (median unchanged, errors as the stable's) within 10 minutes", () => {
    const slowTail = { ...RUNBOOK, canary: { ...HEALTHY, p99Seconds: 0.4 } };
    for (const seed of seeds(4000, 50)) {
      const result = analyzeCanary({ windows: simulateWindows(slowTail, 60, seed), elapsedSeconds: 600, settings: SETTINGS });
      expect(result.decision, `seed ${seed}`).toBe("fail");
      expect(result.checks.find((c) => c.check === "latency")?.verdict, `seed ${seed}`).toBe("worse");
    }
  });

  it("passes most healthy canaries at the maximum duration (at the runbook's volumes)", () => {
    const passed = seeds(5000, 100).filter((seed) => decisionAt(simulateWindows(RUNBOOK, HALF_HOUR, seed), HALF_HOUR) === "pass");
    expect(passed.length).toBeGreaterThanOrEqual(97);
  });
});

describe("validity under repeated looks", () => {
  /** Windows where the canary's error rate is exactly `ratio` times the stable's: the boundary of the null. */
  function boundaryWindows(seed: number, ratio: number): RatioWindow[] {
    const scenario = { ...RUNBOOK, requestsPerMinute: 3000, buckets: [], canary: { ...HEALTHY, errorRate: 0.01 * ratio }, stable: { ...HEALTHY, errorRate: 0.01 } };
    return simulateWindows(scenario, HALF_HOUR, seed).map((w) => ({
      canaryEvents: w.canary.errors,
      canaryRequests: w.canary.requests,
      stableEvents: w.stable.errors,
      stableRequests: w.stable.requests,
    }));
  }

  /** The fixed-sample test people re-run every interval: a one-sided z-test of the two rates on the counts so far, at 5%. */
  function naiveZTestEverRejects(windows: readonly RatioWindow[], ratio: number): boolean {
    let [ce, cn, se, sn] = [0, 0, 0, 0];
    for (const w of windows) {
      [ce, cn, se, sn] = [ce + w.canaryEvents, cn + w.canaryRequests, se + w.stableEvents, sn + w.stableRequests];
      const pc = ce / cn;
      const ps = se / sn;
      const sd = Math.sqrt((pc * (1 - pc)) / cn + (ratio * ratio * ps * (1 - ps)) / sn);
      if (sd > 0 && (pc - ratio * ps) / sd > 1.645) return true;
    }
    return false;
  }

  it("rejects canaries exactly at the tolerated ratio at most 5% of the time over 180 looks each, where re-running a fixed-sample test does far more often", () => {
    const runs = seeds(6000, 200);
    const sequential = runs.filter((seed) => ratioEvidence(boundaryWindows(seed, 1.5), 1.5, "above").max >= 20).length;
    const naive = runs.filter((seed) => naiveZTestEverRejects(boundaryWindows(seed, 1.5), 1.5)).length;
    // Ville's inequality bounds the sequential test at alpha (10 of 200); the naive test is not bounded at all.
    expect(sequential).toBeLessThanOrEqual(10);
    expect(naive).toBeGreaterThan(2 * 10);
  });
});
