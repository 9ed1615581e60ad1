// The rollouts a stack's objects describe, told apart by the labels
// safe-deploy puts on pods (`app` and `version`): a blue-green service is two
// slot Deployments (`version: blue|green`) and a live Service that selects one
// of them; a canary service is a stable and a canary track
// (`version: stable|canary`), weighed by replicas or an HTTPRoute.
import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { LABELS, namespaceOf, podLabel, podLabels, replicas, sameNamespace, TYPES } from "./kubernetes";
import { serviceSelects } from "./selectors";
import { objectsOfTypes, type KubeObject } from "./validate";
import { at, items, num, str, stringMap, UNKNOWN, type Unknown } from "./values";

export type Slot = "blue" | "green";
export type StackObject = KubeObject & { readonly resource: PolicyResource };

export function otherSlot(slot: Slot): Slot {
  return slot === "blue" ? "green" : "blue";
}

export interface BlueGreenRollout {
  readonly app: string;
  /** The Service that carries traffic (not a slot's own `<app>-<slot>` Service). */
  readonly liveService: StackObject;
  readonly liveSlot: Slot;
  /** The slots' Deployments in the live Service's namespace; a slot without one is absent. */
  readonly slots: Partial<Record<Slot, StackObject>>;
}

function isSlot(value: unknown): value is Slot {
  return value === "blue" || value === "green";
}

/** Every blue-green rollout in the stack, found from its live Service. */
export function blueGreenRollouts(args: StackValidationArgs): BlueGreenRollout[] {
  const deployments = objectsOfTypes(args, [TYPES.deployment]);
  const rollouts: BlueGreenRollout[] = [];
  for (const service of objectsOfTypes(args, [TYPES.service])) {
    const app = str(at(service.props, "spec", "selector", LABELS.app));
    const slot = str(at(service.props, "spec", "selector", LABELS.variant));
    const name = str(at(service.props, "metadata", "name"));
    if (typeof app !== "string" || !isSlot(slot) || name === `${app}-${slot}`) continue;
    const namespace = namespaceOf(service.props);
    const slots: Partial<Record<Slot, StackObject>> = {};
    for (const deployment of deployments) {
      const variant = podLabel(deployment.type, deployment.props, LABELS.variant);
      if (!isSlot(variant) || podLabel(deployment.type, deployment.props, LABELS.app) !== app) continue;
      if (sameNamespace(namespaceOf(deployment.props), namespace)) slots[variant] = deployment;
    }
    rollouts.push({ app, liveService: service, liveSlot: slot, slots });
  }
  return rollouts;
}

/** The Deployments whose pods a Service's selector picks (or may pick, while preview cannot tell). */
export function selectedDeployments(args: StackValidationArgs, service: KubeObject): StackObject[] {
  const selector = stringMap(at(service.props, "spec", "selector"));
  const namespace = namespaceOf(service.props);
  return objectsOfTypes(args, [TYPES.deployment]).filter(
    (deployment) => sameNamespace(namespaceOf(deployment.props), namespace) && serviceSelects(selector, podLabels(deployment.type, deployment.props)) !== false,
  );
}

export interface CanaryRollout {
  readonly app: string;
  readonly stable: StackObject;
  readonly canary: StackObject;
  readonly canaryVersion: string | Unknown | undefined;
  /** The canary's share of requests in percent: by HTTPRoute weights where a route weighs the tracks, else by replicas. */
  readonly share: number | Unknown;
  readonly by: "route" | "replicas";
}

/** Every canary rollout with a canary track. */
export function canaryRollouts(args: StackValidationArgs): CanaryRollout[] {
  const deployments = objectsOfTypes(args, [TYPES.deployment]);
  const rollouts: CanaryRollout[] = [];
  for (const canary of deployments) {
    if (podLabel(canary.type, canary.props, LABELS.variant) !== "canary") continue;
    const app = podLabel(canary.type, canary.props, LABELS.app);
    if (typeof app !== "string") continue;
    const stable = deployments.find(
      (d) =>
        podLabel(d.type, d.props, LABELS.variant) === "stable" &&
        podLabel(d.type, d.props, LABELS.app) === app &&
        sameNamespace(namespaceOf(d.props), namespaceOf(canary.props)),
    );
    if (stable === undefined) continue;
    const routed = routeShare(args, stable, canary);
    const share = routed ?? replicaShare(stable, canary);
    rollouts.push({ app, stable, canary, canaryVersion: podLabel(canary.type, canary.props, LABELS.version), share, by: routed === undefined ? "replicas" : "route" });
  }
  return rollouts;
}

function replicaShare(stable: KubeObject, canary: KubeObject): number | Unknown {
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
function routeShare(args: StackValidationArgs, stable: KubeObject, canary: KubeObject): number | Unknown | undefined {
  const services = objectsOfTypes(args, [TYPES.service]);
  const trackOf = (serviceName: string): "stable" | "canary" | "both" | undefined => {
    const service = services.find((s) => str(at(s.props, "metadata", "name")) === serviceName && sameNamespace(namespaceOf(s.props), namespaceOf(canary.props)));
    if (service === undefined) return undefined;
    const selector = stringMap(at(service.props, "spec", "selector"));
    const picksCanary = serviceSelects(selector, podLabels(canary.type, canary.props)) === true;
    const picksStable = serviceSelects(selector, podLabels(stable.type, stable.props)) === true;
    return picksCanary && picksStable ? "both" : picksCanary ? "canary" : picksStable ? "stable" : undefined;
  };
  for (const route of objectsOfTypes(args, [TYPES.httpRoute])) {
    if (!sameNamespace(namespaceOf(route.props), namespaceOf(canary.props))) continue;
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
