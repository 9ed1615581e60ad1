// The share of requests each canary track really gets. With an HTTPRoute the
// weights are exact; without one, traffic follows the pods, so 10% asked on
// 3 replicas is one pod of three: a third of the traffic.
import type { CanaryServiceConfig } from "../config/schema";
import { splitReplicas } from "./replica-split";

/** Points of difference between the asked and the real share above which the program warns. */
export const TRAFFIC_WARN_POINTS = 5;

export interface CanaryTraffic {
  /** The share the config asks for (`canaryWeight`), 0 when there is no canary track. */
  readonly askedPercent: number;
  /** The share the canary really gets, to one decimal. */
  readonly canaryPercent: number;
  readonly stablePercent: number;
  /** True when an HTTPRoute sets the weights exactly. */
  readonly exact: boolean;
}

function roundToTenth(value: number): number {
  return Math.round(value * 10) / 10;
}

/** The share of the canary by replica ratio for `total` pods at `weight`. */
export function replicaShare(total: number, weight: number): number {
  return roundToTenth((100 * splitReplicas(total, weight).canary) / total);
}

export function canaryTraffic(service: CanaryServiceConfig): CanaryTraffic {
  const asked = service.canaryVersion === undefined ? 0 : service.canaryWeight;
  const exact = service.httpRoute !== undefined;
  const canaryPercent = exact ? asked : replicaShare(service.replicas, asked);
  return { askedPercent: asked, canaryPercent, stablePercent: roundToTenth(100 - canaryPercent), exact };
}

/** The fewest replicas (at least `from`) whose replica share is within `points` of `weight`, or undefined if none up to 1000. */
export function replicasForShare(weight: number, points: number, from: number): number | undefined {
  for (let total = Math.max(from, 2); total <= 1000; total++) {
    if (Math.abs(replicaShare(total, weight) - weight) <= points) return total;
  }
  return undefined;
}

/** How to get closer to the asked share, in words: more replicas or exact weights. */
export function closerShareAdvice(service: CanaryServiceConfig, points: number): string {
  const enough = replicasForShare(service.canaryWeight, points, service.replicas + 1);
  const more = enough === undefined ? "" : `replicas: ${enough} gives ${replicaShare(enough, service.canaryWeight)}%, or `;
  return `${more}set httpRoute for exact weights`;
}
