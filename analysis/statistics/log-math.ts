// Numerics the canary statistics share: sums of exponentials and the log of
// the gamma function, computed in log space so that large evidence does not
// overflow and tiny probabilities do not vanish.

/** log(sum(exp(x))) without overflow. */
export function logSumExp(values: readonly number[]): number {
  const top = Math.max(...values);
  if (!Number.isFinite(top)) return top;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - top);
  return top + Math.log(sum);
}

/** Lanczos coefficients (g = 7, n = 9), as published by Numerical Recipes and Godfrey. */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
] as const;

/** log Γ(x) for x > 0, to about 1e-13 relative. */
export function logGamma(x: number): number {
  if (x < 0.5) {
    // Reflection: Γ(x) Γ(1 - x) = π / sin(πx).
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] ?? 0) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** log B(a, b), the beta function. */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}
