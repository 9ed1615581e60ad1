// How many pods each canary track gets at a weight, keeping the total constant.

export interface ReplicaSplit {
  readonly stable: number;
  readonly canary: number;
}

/**
 * Splits `total` replicas at `weight` percent for the canary, rounding half up.
 * Any weight above 0 gives the canary at least one pod; any weight below 100
 * keeps at least one stable pod when there are two or more; weight 0 leaves
 * no canary pods and 100 leaves no stable ones.
 */
export function splitReplicas(total: number, weight: number): ReplicaSplit {
  if (!Number.isInteger(total) || total < 1) throw new RangeError(`total replicas must be a whole number >= 1 (got ${total})`);
  if (!Number.isInteger(weight) || weight < 0 || weight > 100) throw new RangeError(`weight must be a whole percent 0..100 (got ${weight})`);
  if (weight === 0) return { stable: total, canary: 0 };
  if (weight === 100) return { stable: 0, canary: total };
  // Integer arithmetic: (total * weight) / 100 rounded half up, without float error.
  let canary = Math.floor((total * weight + 50) / 100);
  canary = Math.max(canary, 1);
  if (total >= 2) canary = Math.min(canary, total - 1);
  return { stable: total - canary, canary };
}
