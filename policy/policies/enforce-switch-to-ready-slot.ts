// A blue-green live Service sends traffic only to a slot the same stack
// declares, with pods, and waits for: a selector that names a slot nobody
// deploys (or one scaled to 0) would leave the service with no endpoints, and
// a Service that does not wait for the slot's Deployment could switch before
// the new pods are ready.
import type { StackValidationPolicy } from "@pulumi/policy";
import { ANNOTATIONS, replicas } from "../lib/kubernetes";
import { blueGreenRollouts, selectedDeployments } from "../lib/rollouts";
import { StackIndex } from "../lib/stack-index";
import { at, UNKNOWN } from "../lib/values";

export const enforceSwitchToReadySlot: StackValidationPolicy = {
  name: "enforce-switch-to-ready-slot",
  description:
    "A blue-green live Service's selector names only a slot whose Deployment the same stack declares with replicas, and the Service waits for that Deployment to be ready (depends on it, no pulumi.com/skipAwait). " +
    "Fix: deploy the slot (in safe-deploy: blueVersion/greenVersion) before pointing liveSlot at it, and keep the Service depending on the slot's Deployment.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const index = new StackIndex(args);
    for (const rollout of blueGreenRollouts(index)) {
      const service = rollout.liveService;
      const urn = service.resource.urn;
      const targets = selectedDeployments(index, service);
      if (targets.length === 0) {
        report(
          `${service.label} sends traffic to slot ${rollout.liveSlot}, but the stack declares no Deployment whose pods it selects: the service would have no endpoints. ` +
            `Deploy slot ${rollout.liveSlot} first (in safe-deploy: services.${rollout.app}.${rollout.liveSlot}Version), or point the Service at the slot that runs.`,
          urn,
        );
        continue;
      }
      for (const target of targets) {
        const count = replicas(target.props);
        if (count === 0) {
          report(
            `${service.label} sends traffic to ${target.label}, which is scaled to 0: the service would have no endpoints. Scale the slot up before switching to it.`,
            urn,
          );
          continue;
        }
        const waits = service.resource.dependencies.some((dependency) => dependency.urn === target.resource.urn);
        const skip = at(target.props, "metadata", "annotations", ANNOTATIONS.skipAwait);
        if (!waits) {
          report(
            `${service.label} sends traffic to ${target.label} without depending on it, so the switch may happen before its pods are ready. ` +
              `Make the Service depend on the slot's Deployment (dependsOn).`,
            urn,
          );
        } else if (skip !== UNKNOWN && skip === "true") {
          report(
            `${service.label} waits for ${target.label}, but that Deployment carries ${ANNOTATIONS.skipAwait}: "true", so it counts as ready before its pods are. Remove the annotation.`,
            urn,
          );
        }
      }
    }
  },
};
