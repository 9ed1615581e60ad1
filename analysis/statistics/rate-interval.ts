// An interval for one track's rate (errors per request) that holds at every
// look at once: a confidence sequence, not a fixed-sample interval.
//
// Method: Robbins' beta-binomial mixture ("Statistical methods related to the
// law of the iterated logarithm", Ann. Math. Statist. 1970), as presented in
// Howard, Ramdas, McAuliffe and Sekhon, "Time-uniform, nonparametric,
// nonasymptotic confidence sequences" (Ann. Statist. 2021). The interval is
// every rate p whose mixture likelihood ratio against p,
//     B(a + x, b + n - x) / B(a, b) / (p^x (1 - p)^(n - x)),
// is still below 1/alpha; by Ville's inequality the true rate leaves it, at
// any look, with probability at most alpha.
import { logBeta } from "./log-math";

/** Jeffreys' prior: the least informative about a rate near 0 or 1. */
const PRIOR_A = 0.5;
const PRIOR_B = 0.5;

export interface RateInterval {
  /** Events / requests, or 0 with no requests. */
  readonly rate: number;
  readonly low: number;
  readonly high: number;
}

function logMixtureRatio(events: number, requests: number, p: number): number {
  const misses = requests - events;
  const logMixture = logBeta(PRIOR_A + events, PRIOR_B + misses) - logBeta(PRIOR_A, PRIOR_B);
  const logAtP = (events > 0 ? events * Math.log(p) : 0) + (misses > 0 ? misses * Math.log1p(-p) : 0);
  return logMixture - logAtP;
}

/** Bisection for the edge of the interval between `inside` (kept) and `outside` (excluded). */
function edge(events: number, requests: number, threshold: number, inside: number, outside: number): number {
  let keep = inside;
  let drop = outside;
  for (let i = 0; i < 60; i++) {
    const mid = (keep + drop) / 2;
    if (logMixtureRatio(events, requests, mid) < threshold) keep = mid;
    else drop = mid;
  }
  return keep;
}

/** The anytime-valid interval for `events` of `requests` at level 1 - alpha. */
export function rateInterval(events: number, requests: number, alpha: number): RateInterval {
  if (!(requests > 0)) return { rate: 0, low: 0, high: 1 };
  const x = Math.min(Math.max(events, 0), requests);
  const rate = x / requests;
  const threshold = Math.log(1 / alpha);
  // The ratio is smallest at the observed rate, which is always inside.
  const low = x <= 0 ? 0 : edge(x, requests, threshold, rate, 0);
  const high = x >= requests ? 1 : edge(x, requests, threshold, rate, 1);
  return { rate, low, high };
}
