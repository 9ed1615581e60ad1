// What a release of one service brings and what it replaces, as the
// checklist and the DeploymentRecord name them: the version that serves once
// the update is done, and the one a rollback returns to.
import type { ServiceConfig } from "../config/schema";
import { otherSlot } from "./names";
import { slotVersion } from "./versions";

export interface ReleaseVersions {
  /** Serves once the update is done: rolling `version`, the live slot's, the canary's while it has traffic (else the stable's). */
  readonly version: string;
  /** What serves if the release is rolled back; null when there is nothing to go back to. */
  readonly previousVersion: string | null;
}

export function releaseVersions(service: ServiceConfig): ReleaseVersions {
  switch (service.strategy) {
    case "rolling":
      return { version: service.version, previousVersion: service.previousVersion ?? null };
    case "blue-green":
      // The schema guarantees the live slot has a version.
      return { version: slotVersion(service, service.liveSlot) ?? "", previousVersion: slotVersion(service, otherSlot(service.liveSlot)) ?? null };
    case "canary":
      return service.canaryVersion !== undefined && service.canaryWeight > 0
        ? { version: service.canaryVersion, previousVersion: service.stableVersion }
        : { version: service.stableVersion, previousVersion: null };
  }
}
