// The order in which a canary step resizes its two tracks. The total stays
// constant, so one track grows while the other shrinks; in production the
// growing track must be ready before the shrinking one loses a pod (Argo
// Rollouts' dynamicStableScale), or capacity dips for the length of a rollout.

/** `canary-first`: stable waits for the canary; `stable-first`: the reverse; `together`: neither waits. */
export type ResizeOrder = "canary-first" | "stable-first" | "together";

/**
 * The order for a step from `previousCanary` canary pods (undefined when
 * unknown: a first update, or outputs of an older program) to `nextCanary`.
 * Unknown is taken as no canary pods, which is right for a first step and
 * errs on the side of growing the canary before stable shrinks.
 */
export function resizeOrder(previousCanary: number | undefined, nextCanary: number): ResizeOrder {
  const before = previousCanary ?? 0;
  if (nextCanary > before) return "canary-first";
  if (nextCanary < before) return "stable-first";
  return "together";
}
