// What is live for each service, as the stack outputs report it.
import type { ServiceConfig } from "../config/schema";
import { otherSlot, type SlotName } from "./names";
import { canaryTrackReplicas, slotReplicas } from "./replicas";
import { canaryTraffic } from "./traffic";
import { slotVersion } from "./versions";

export type LiveState =
  | { readonly strategy: "rolling"; readonly version: string; readonly replicas: number }
  | {
      readonly strategy: "blue-green";
      readonly slot: SlotName;
      readonly version: string;
      readonly replicas: number;
      readonly standby: { readonly slot: SlotName; readonly version: string | null; readonly replicas: number };
    }
  | {
      readonly strategy: "canary";
      /** `weight` is the share of traffic each track really gets (percent, one decimal). */
      readonly stable: { readonly version: string; readonly weight: number; readonly replicas: number };
      readonly canary: { readonly version: string | null; readonly weight: number; readonly requestedWeight: number; readonly replicas: number };
      /** True when an HTTPRoute sets the weights; false when traffic follows the replica ratio. */
      readonly exactWeights: boolean;
    };

export function liveState(service: ServiceConfig): LiveState {
  switch (service.strategy) {
    case "rolling":
      return { strategy: "rolling", version: service.version, replicas: service.replicas };
    case "blue-green": {
      const standby = otherSlot(service.liveSlot);
      return {
        strategy: "blue-green",
        slot: service.liveSlot,
        // The schema guarantees the live slot has a version.
        version: slotVersion(service, service.liveSlot) ?? "",
        replicas: slotReplicas(service, service.liveSlot),
        standby: { slot: standby, version: slotVersion(service, standby) ?? null, replicas: slotReplicas(service, standby) },
      };
    }
    case "canary": {
      const split = canaryTrackReplicas(service);
      const traffic = canaryTraffic(service);
      return {
        strategy: "canary",
        stable: { version: service.stableVersion, weight: traffic.stablePercent, replicas: split.stable },
        canary: { version: service.canaryVersion ?? null, weight: traffic.canaryPercent, requestedWeight: traffic.askedPercent, replicas: split.canary },
        exactWeights: traffic.exact,
      };
    }
  }
}
