import { describe, expect, it } from "vitest";
import { splitReplicas } from "../../lib/replica-split";

const REPLICA_COUNTS = [1, 2, 3, 4, 5, 7, 10, 11, 25, 100];
const WEIGHTS = Array.from({ length: 101 }, (_, weight) => weight);

describe("canary replica split", () => {
  it.each(REPLICA_COUNTS)("keeps the total of %i replicas at every weight 0..100", (total) => {
    for (const weight of WEIGHTS) {
      const split = splitReplicas(total, weight);
      expect(split.stable + split.canary, `weight ${weight}`).toBe(total);
      expect(split.stable, `weight ${weight}`).toBeGreaterThanOrEqual(0);
    }
  });

  it.each(REPLICA_COUNTS)("gives the canary pods iff the weight is above 0 (%i replicas)", (total) => {
    for (const weight of WEIGHTS) expect(splitReplicas(total, weight).canary > 0, `weight ${weight}`).toBe(weight > 0);
  });

  it.each(REPLICA_COUNTS.filter((n) => n >= 2))("keeps a stable pod below 100%% (%i replicas)", (total) => {
    for (const weight of WEIGHTS.slice(0, 100)) expect(splitReplicas(total, weight).stable, `weight ${weight}`).toBeGreaterThanOrEqual(1);
  });

  it.each(REPLICA_COUNTS)("never moves pods away from the canary as the weight grows (%i replicas)", (total) => {
    for (const weight of WEIGHTS.slice(1)) {
      expect(splitReplicas(total, weight).canary).toBeGreaterThanOrEqual(splitReplicas(total, weight - 1).canary);
    }
  });

  it.each([
    [10, 20, 8, 2],
    [10, 0, 10, 0],
    [10, 100, 0, 10],
    [10, 1, 9, 1],
    [10, 15, 8, 2],
    [10, 99, 1, 9],
    [5, 50, 2, 3],
    [3, 10, 2, 1],
    [1, 0, 1, 0],
    [1, 30, 0, 1],
  ])("splits %i replicas at %i%% into %i stable and %i canary", (total, weight, stable, canary) => {
    expect(splitReplicas(total, weight)).toEqual({ stable, canary });
  });

  it.each([
    [0, 10],
    [10, 101],
    [10, -1],
    [10, 12.5],
  ])("refuses %i replicas at weight %d", (total, weight) => {
    expect(() => splitReplicas(total, weight)).toThrow(RangeError);
  });
});
