// A sequential test of the ratio of two event rates (canary against stable),
// valid however often it is looked at: an e-process in the sense of
// Ramdas et al., "Game-theoretic statistics and safe anytime-valid
// inference" (Statistical Science, 2023).
//
// Method: Lindon, Sanden and Shirikian, "Rapid Regression Detection in
// Software Deployments through Sequential Testing" (KDD 2022,
// arXiv:2205.14762), as Netflix runs it on canaries. Events (errors, or
// requests slower than a threshold) are counts whose rate is proportional to
// each track's requests. Given how many events both tracks had in a window, the
// canary's share of them is binomial with probability
//     q(rho) = rho * n_canary / (rho * n_canary + n_stable),
// where rho is the ratio of the canary's event rate to the stable's. This
// removes the unknown stable rate (the nuisance) and uses the requests each
// track really served, so an uneven traffic split is no bias.
//
// The null "rho is on the other side of the tolerated ratio r" is tested with
// a mixture, over a grid of alternatives rho_j, of the likelihood ratios
// q(rho_j) against q(r) (Robbins' method of mixtures, 1970). For one-sided
// alternatives the product over windows is a non-negative supermartingale
// under every rho of the null, so by Ville's inequality it ever reaches 1/alpha
// with probability at most alpha: checking after every window, or every
// second, does not inflate the error rate. No peeking problem.
import { logSumExp } from "./log-math";

/** One window's events and requests on both tracks (counts may be fractional: Prometheus' increase() extrapolates). */
export interface RatioWindow {
  readonly canaryEvents: number;
  readonly canaryRequests: number;
  readonly stableEvents: number;
  readonly stableRequests: number;
}

/** Which side of the tolerated ratio the test looks for evidence of. */
export type RatioSide = "above" | "below";

/**
 * Alternatives as multiples of the tolerated ratio, equally weighted: from a
 * little worse than tolerated to 32 times worse (a canary that fails most of
 * its requests against a stable at 1%). Fewer points cost less evidence
 * (log 7 nats for the mixture) than a finer grid would; neighbouring points
 * are close enough that the best one is never far from the true ratio.
 */
const ALTERNATIVE_MULTIPLES = [1.5, 2, 3, 5, 8, 16, 32] as const;

/** The alternatives' ratios for the tolerated `ratio`: above it, or below it for the mirror test. */
export function alternativeRatios(ratio: number, side: RatioSide): number[] {
  return ALTERNATIVE_MULTIPLES.map((m) => (side === "above" ? ratio * m : ratio / m));
}

/** The canary's expected share of the window's events when its rate is `rho` times the stable's. */
export function canaryShare(rho: number, window: RatioWindow): number {
  const canary = rho * window.canaryRequests;
  return canary / (canary + window.stableRequests);
}

/** Log-likelihood ratio of one window's split of events under `rho` against `nullRatio`. */
export function windowLogRatio(rho: number, nullRatio: number, window: RatioWindow): number {
  // A window where one track served nothing, or no event happened, says nothing about the ratio.
  if (window.canaryRequests <= 0 || window.stableRequests <= 0 || window.canaryEvents + window.stableEvents <= 0) return 0;
  const q1 = canaryShare(rho, window);
  const q0 = canaryShare(nullRatio, window);
  return window.canaryEvents * Math.log(q1 / q0) + window.stableEvents * Math.log((1 - q1) / (1 - q0));
}

export interface RatioEvidence {
  /** The e-value after each window: the mixture likelihood ratio so far. */
  readonly path: readonly number[];
  /** The e-value now. */
  readonly current: number;
  /** The largest it has been: the test rejects once this reaches 1/alpha, and stays rejected. */
  readonly max: number;
}

/**
 * The e-process for "the canary's rate is `side` `ratio` times the stable's",
 * window by window. Reject the opposite (the null) once `max` >= 1/alpha.
 */
export function ratioEvidence(windows: readonly RatioWindow[], ratio: number, side: RatioSide): RatioEvidence {
  const alternatives = alternativeRatios(ratio, side);
  const logWeight = -Math.log(alternatives.length);
  const logLr = alternatives.map(() => 0);
  const path: number[] = [];
  let max = 1;
  for (const window of windows) {
    alternatives.forEach((rho, j) => {
      logLr[j] = (logLr[j] ?? 0) + windowLogRatio(rho, ratio, window);
    });
    const e = Math.exp(logSumExp(logLr.map((l) => l + logWeight)));
    path.push(e);
    max = Math.max(max, e);
  }
  return { path, current: path[path.length - 1] ?? 1, max };
}
