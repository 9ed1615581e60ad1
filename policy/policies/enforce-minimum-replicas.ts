// A production workload runs at least `minReplicas` pods, so losing one (a
// node drain, a crash, an eviction) does not take the service down. Two
// exceptions, both from the labels safe-deploy sets: a Deployment scaled to 0
// on purpose (a retired blue-green standby, an aborted canary track) serves
// nothing, and a canary track's pods are extra capacity beside the stable
// track, which must meet the minimum on its own (an abort leaves it alone).
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { LABELS, podLabel, REPLICATED, replicas } from "../lib/kubernetes";
import { configOf, validateKubernetes } from "../lib/validate";
import { UNKNOWN } from "../lib/values";

export interface MinimumReplicasConfig {
  /** @default 2 */
  readonly minReplicas: number;
}

export const MINIMUM_REPLICAS_DEFAULTS: MinimumReplicasConfig = { minReplicas: 2 };

export const enforceMinimumReplicas: ResourceValidationPolicy = {
  name: "enforce-minimum-replicas",
  description:
    "Production workloads run at least minReplicas pods (default 2), so one pod's loss does not take the service down; a Deployment scaled to 0 and a canary track are exempt. " +
    "Fix: raise spec.replicas (in safe-deploy: services.<name>.replicas).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      minReplicas: { type: "integer", minimum: 1, default: MINIMUM_REPLICAS_DEFAULTS.minReplicas, description: "The fewest pods a workload may run." },
    },
  },
  validateResource: validateKubernetes(REPLICATED, (object, args, report) => {
    const { minReplicas } = configOf(args, MINIMUM_REPLICAS_DEFAULTS);
    const count = replicas(object.props);
    if (count === UNKNOWN || count === 0 || count >= minReplicas) return;
    if (podLabel(object.type, object.props, LABELS.variant) === "canary") return;
    const app = podLabel(object.type, object.props, LABELS.app);
    const key = typeof app === "string" ? ` (in safe-deploy: services.${app}.replicas)` : "";
    report(
      `${object.label} runs ${count} replica${count === 1 ? "" : "s"}; at least ${minReplicas} are required, so that losing one pod (a node drain, a crash) does not take the service down. ` +
        `Raise spec.replicas to ${minReplicas} or more${key}.`,
    );
  }),
};
