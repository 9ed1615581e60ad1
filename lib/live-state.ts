// What is live for each service, as the stack outputs report it.
import type { ServiceConfig } from "../config/schema";
import { otherSlot } from "./names";
import { splitReplicas } from "./replica-split";

export type LiveState =
  | { readonly strategy: "rolling"; readonly version: string; readonly replicas: number }
  | {
      readonly strategy: "blue-green";
      readonly slot: "blue" | "green";
      readonly version: string;
      readonly replicas: number;
      readonly standby: { readonly slot: "blue" | "green"; readonly version: string | null; readonly replicas: number };
    }
  | {
      readonly strategy: "canary";
      readonly stable: { readonly version: string; readonly weight: number; readonly replicas: number };
      readonly canary: { readonly version: string | null; readonly weight: number; readonly replicas: number };
    };

export function liveState(service: ServiceConfig): LiveState {
  switch (service.strategy) {
    case "rolling":
      return { strategy: "rolling", version: service.version, replicas: service.replicas };
    case "blue-green": {
      const standby = otherSlot(service.liveSlot);
      const versionOf = (slot: "blue" | "green") => (slot === "blue" ? service.blueVersion : service.greenVersion);
      const standbyVersion = versionOf(standby) ?? null;
      return {
        strategy: "blue-green",
        slot: service.liveSlot,
        // The schema guarantees the live slot has a version.
        version: versionOf(service.liveSlot) ?? "",
        replicas: service.replicas,
        standby: { slot: standby, version: standbyVersion, replicas: standbyReplicas(service.replicas, standbyVersion, service.retireStandby) },
      };
    }
    case "canary": {
      const split = splitReplicas(service.replicas, service.canaryWeight);
      return {
        strategy: "canary",
        stable: { version: service.stableVersion, weight: 100 - service.canaryWeight, replicas: split.stable },
        canary: { version: service.canaryVersion ?? null, weight: service.canaryWeight, replicas: split.canary },
      };
    }
  }
}

/** The standby slot keeps its pods (it is the rollback) until config retires it. */
export function standbyReplicas(replicas: number, version: string | null | undefined, retire: boolean): number {
  return version === undefined || version === null || retire ? 0 : replicas;
}
