// How many pods each Deployment of a service runs: the one place the config's
// replicas become a Deployment's `spec.replicas`.
import type { BlueGreenServiceConfig, CanaryServiceConfig } from "../config/schema";
import type { SlotName } from "./names";
import { splitReplicas, type ReplicaSplit } from "./replica-split";
import { slotVersion } from "./versions";

/**
 * Pods of a blue-green slot: the live slot runs `replicas`; the standby keeps
 * as many (it is the rollback) until config retires it; a slot without a
 * version is not deployed.
 */
export function slotReplicas(service: BlueGreenServiceConfig, slot: SlotName): number {
  if (slotVersion(service, slot) === undefined) return 0;
  if (slot === service.liveSlot) return service.replicas;
  return service.retireStandby ? 0 : service.replicas;
}

/** Pods of each canary track: the split of `replicas` at `canaryWeight`, none on a track without a version. */
export function canaryTrackReplicas(service: CanaryServiceConfig): ReplicaSplit {
  if (service.canaryVersion === undefined) return { stable: service.replicas, canary: 0 };
  return splitReplicas(service.replicas, service.canaryWeight);
}
