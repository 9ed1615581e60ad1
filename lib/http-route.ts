// The backends of a canary's HTTPRoute, in the one order the route and the
// quick rollback command share: stable first, canary second.
import { names, SERVICE_PORT, type Track } from "./names";

export const ROUTE_BACKEND_ORDER: readonly Track[] = ["stable", "canary"];

export interface RouteBackend {
  readonly name: string;
  readonly port: number;
  readonly weight: number;
}

/** The route's backendRefs for a canary share of `canaryWeight` percent. */
export function routeBackends(service: string, canaryWeight: number): RouteBackend[] {
  return ROUTE_BACKEND_ORDER.map((track) => ({
    name: names.trackService(service, track),
    port: SERVICE_PORT,
    weight: track === "canary" ? canaryWeight : 100 - canaryWeight,
  }));
}

/**
 * A JSON patch that sets every backend's weight, each guarded by a `test` of
 * the backend's name at that position: if the route's order ever differs, the
 * patch fails instead of moving the wrong weight.
 */
export function routeWeightPatch(service: string, canaryWeight: number): object[] {
  return routeBackends(service, canaryWeight).flatMap((backend, index) => [
    { op: "test", path: `/spec/rules/0/backendRefs/${index}/name`, value: backend.name },
    { op: "replace", path: `/spec/rules/0/backendRefs/${index}/weight`, value: backend.weight },
  ]);
}
