// A production Deployment changes pod by pod without ever dropping below its
// replicas (`maxUnavailable: 0`: a new pod is ready before an old one goes),
// fails a stalled rollout instead of waiting forever (`progressDeadlineSeconds`),
// and keeps old ReplicaSets for `kubectl rollout undo` (`revisionHistoryLimit`).
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { TYPES } from "../lib/kubernetes";
import { configOf, validateKubernetes } from "../lib/validate";
import { at, UNKNOWN } from "../lib/values";

export interface SafeRollingUpdateConfig {
  /** @default 2 */
  readonly minRevisionHistoryLimit: number;
}

export const SAFE_ROLLING_UPDATE_DEFAULTS: SafeRollingUpdateConfig = { minRevisionHistoryLimit: 2 };

/** Is `maxUnavailable` zero (`0` or `"0%"`)? Absent means Kubernetes' default, 25%. */
function isZero(value: unknown): boolean {
  return value === 0 || (typeof value === "string" && /^0+%?$/.test(value.trim()));
}

export const enforceSafeRollingUpdate: ResourceValidationPolicy = {
  name: "enforce-safe-rolling-update",
  description:
    "Production Deployments roll out with strategy RollingUpdate and maxUnavailable 0, set progressDeadlineSeconds, and keep revisionHistoryLimit of at least minRevisionHistoryLimit (default 2). " +
    "Fix: set spec.strategy.rollingUpdate.maxUnavailable: 0, spec.progressDeadlineSeconds (e.g. 300) and spec.revisionHistoryLimit (e.g. 10).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      minRevisionHistoryLimit: {
        type: "integer",
        minimum: 1,
        default: SAFE_ROLLING_UPDATE_DEFAULTS.minRevisionHistoryLimit,
        description: "The fewest old ReplicaSets a Deployment keeps for `kubectl rollout undo`.",
      },
    },
  },
  validateResource: validateKubernetes([TYPES.deployment], (object, args, report) => {
    const { minRevisionHistoryLimit } = configOf(args, SAFE_ROLLING_UPDATE_DEFAULTS);
    const spec = at(object.props, "spec");
    if (spec === UNKNOWN) return;

    const type = at(spec, "strategy", "type");
    if (type === "Recreate") {
      report(`${object.label} uses strategy Recreate, which stops every pod before starting the new ones: the service is down for the whole rollout. Use RollingUpdate with maxUnavailable: 0.`);
    } else if (type !== UNKNOWN) {
      const maxUnavailable = at(spec, "strategy", "rollingUpdate", "maxUnavailable");
      if (maxUnavailable !== UNKNOWN && !isZero(maxUnavailable)) {
        const shown = maxUnavailable === undefined || maxUnavailable === null ? "unset (Kubernetes' default, 25%)" : JSON.stringify(maxUnavailable);
        report(
          `${object.label}: strategy.rollingUpdate.maxUnavailable is ${shown}, so a rollout takes pods away before their replacements are ready and capacity drops. ` +
            `Set maxUnavailable: 0 (with maxSurge above 0).`,
        );
      }
    }

    const deadline = at(spec, "progressDeadlineSeconds");
    if (deadline === undefined || deadline === null) {
      report(
        `${object.label} sets no progressDeadlineSeconds; a stalled rollout must fail the update soon, not after Kubernetes' default 600 s with nobody told. ` +
          `Set spec.progressDeadlineSeconds (e.g. 300).`,
      );
    }

    const history = at(spec, "revisionHistoryLimit");
    if (typeof history === "number" && history < minRevisionHistoryLimit) {
      report(
        `${object.label} keeps revisionHistoryLimit ${history}; 'kubectl rollout undo' needs old ReplicaSets to go back to. ` +
          `Set spec.revisionHistoryLimit to ${minRevisionHistoryLimit} or more.`,
      );
    }
  }),
};
