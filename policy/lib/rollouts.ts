// The rollouts a stack's objects describe, told apart by the labels
// safe-deploy puts on pods (`app` and `version`): a blue-green service is two
// slot Deployments (`version: blue|green`) and a live Service that selects one
// of them; a canary service is a stable and a canary track
// (`version: stable|canary`), weighed by replicas or an HTTPRoute.
import { LABELS, replicas, TYPES } from "./kubernetes";
import { serviceSelects } from "./selectors";
import { labelOf, type IndexedObject, type StackIndex } from "./stack-index";
import { at, items, num, str, stringMap, UNKNOWN, type Unknown } from "./values";

export type Slot = "blue" | "green";

export function otherSlot(slot: Slot): Slot {
  return slot === "blue" ? "green" : "blue";
}

export interface BlueGreenRollout {
  readonly app: string;
  /** The Service that carries traffic (not a slot's own `<app>-<slot>` Service). */
  readonly liveService: IndexedObject;
  readonly liveSlot: Slot;
  /** The slots' Deployments in the live Service's namespace; a slot without one is absent. */
  readonly slots: Partial<Record<Slot, IndexedObject>>;
}

function isSlot(value: unknown): value is Slot {
  return value === "blue" || value === "green";
}

/** Every blue-green rollout in the stack, found from its live Service. */
export function blueGreenRollouts(index: StackIndex): BlueGreenRollout[] {
  const rollouts: BlueGreenRollout[] = [];
  for (const service of index.ofTypes([TYPES.service])) {
    const app = str(at(service.props, "spec", "selector", LABELS.app));
    const slot = str(at(service.props, "spec", "selector", LABELS.variant));
    if (typeof app !== "string" || !isSlot(slot) || service.name === `${app}-${slot}`) continue;
    const slots: Partial<Record<Slot, IndexedObject>> = {};
    for (const deployment of index.near(service.namespace, [TYPES.deployment])) {
      const variant = labelOf(deployment, LABELS.variant);
      if (isSlot(variant) && labelOf(deployment, LABELS.app) === app) slots[variant] = deployment;
    }
    rollouts.push({ app, liveService: service, liveSlot: slot, slots });
  }
  return rollouts;
}

/** The Deployments whose pods a Service's selector picks (or may pick, while preview cannot tell). */
export function selectedDeployments(index: StackIndex, service: IndexedObject): IndexedObject[] {
  const selector = stringMap(at(service.props, "spec", "selector"));
  return index.near(service.namespace, [TYPES.deployment]).filter((deployment) => serviceSelects(selector, deployment.podLabels) !== false);
}

export interface CanaryRollout {
  readonly app: string;
  readonly stable: IndexedObject;
  readonly canary: IndexedObject;
  readonly canaryVersion: string | Unknown | undefined;
  /** The canary's share of requests in percent: by HTTPRoute weights where a route weighs the tracks, else by replicas. */
  readonly share: number | Unknown;
  readonly by: "route" | "replicas";
}

/** Every canary rollout with a canary track. */
export function canaryRollouts(index: StackIndex): CanaryRollout[] {
  const rollouts: CanaryRollout[] = [];
  for (const canary of index.ofTypes([TYPES.deployment])) {
    if (labelOf(canary, LABELS.variant) !== "canary") continue;
    const app = labelOf(canary, LABELS.app);
    if (typeof app !== "string") continue;
    const stable = index.near(canary.namespace, [TYPES.deployment]).find((d) => labelOf(d, LABELS.variant) === "stable" && labelOf(d, LABELS.app) === app);
    if (stable === undefined) continue;
    const routed = routeShare(index, stable, canary);
    const share = routed ?? replicaShare(stable, canary);
    rollouts.push({ app, stable, canary, canaryVersion: labelOf(canary, LABELS.version), share, by: routed === undefined ? "replicas" : "route" });
  }
  return rollouts;
}

function replicaShare(stable: IndexedObject, canary: IndexedObject): number | Unknown {
  const s = replicas(stable.props);
  const c = replicas(canary.props);
  if (s === UNKNOWN || c === UNKNOWN) return UNKNOWN;
  return s + c === 0 ? 0 : (100 * c) / (s + c);
}

/**
 * The canary's share on an HTTPRoute whose backends are Services selecting
 * the two tracks: the canary backends' weights over all weights (a backend's
 * weight defaults to 1). Undefined when no route weighs these tracks.
 */
function routeShare(index: StackIndex, stable: IndexedObject, canary: IndexedObject): number | Unknown | undefined {
  const services = index.near(canary.namespace, [TYPES.service]);
  const trackOf = (serviceName: string): "stable" | "canary" | "both" | undefined => {
    const service = services.find((s) => s.name === serviceName);
    if (service === undefined) return undefined;
    const selector = stringMap(at(service.props, "spec", "selector"));
    const picksCanary = serviceSelects(selector, canary.podLabels) === true;
    const picksStable = serviceSelects(selector, stable.podLabels) === true;
    return picksCanary && picksStable ? "both" : picksCanary ? "canary" : picksStable ? "stable" : undefined;
  };
  for (const route of index.near(canary.namespace, [TYPES.httpRoute])) {
    const rules = items(at(route.props, "spec", "rules"));
    if (rules === UNKNOWN) continue;
    for (const rule of rules) {
      const backends = items(at(rule, "backendRefs"));
      if (backends === UNKNOWN) continue;
      let canaryWeight = 0;
      let total = 0;
      let weighsTracks = false;
      let unknown = false;
      for (const backend of backends) {
        const name = str(at(backend, "name"));
        const weight = num(at(backend, "weight"));
        if (name === UNKNOWN || weight === UNKNOWN) {
          unknown = true;
          continue;
        }
        const track = name === undefined ? undefined : trackOf(name);
        const w = weight ?? 1;
        total += w;
        if (track === "canary") canaryWeight += w;
        if (track === "canary" || track === "stable") weighsTracks = true;
      }
      if (!weighsTracks) continue;
      if (unknown) return UNKNOWN;
      return total === 0 ? 0 : (100 * canaryWeight) / total;
    }
  }
  return undefined;
}
