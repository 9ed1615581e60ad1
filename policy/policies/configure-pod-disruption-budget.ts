// A PodDisruptionBudget selects every workload that runs more than one pod,
// so a node drain or a cluster upgrade evicts its pods one at a time instead
// of all at once. (A single pod is left alone: a budget on it would block
// every drain.)
import type { StackValidationPolicy } from "@pulumi/policy";
import { REPLICATED, replicas, TYPES } from "../lib/kubernetes";
import { selects } from "../lib/selectors";
import { StackIndex } from "../lib/stack-index";
import { at, UNKNOWN } from "../lib/values";

export const configurePodDisruptionBudget: StackValidationPolicy = {
  name: "configure-pod-disruption-budget",
  description:
    "Every workload with more than one replica is selected by a PodDisruptionBudget in its namespace, so a node drain evicts its pods one at a time. " +
    "Fix: add a PodDisruptionBudget (e.g. maxUnavailable: 1) whose selector matches the pod template's labels.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const index = new StackIndex(args);
    for (const workload of index.ofTypes(REPLICATED)) {
      const count = replicas(workload.props);
      if (count === UNKNOWN || count <= 1) continue;
      const covered = index.near(workload.namespace, [TYPES.podDisruptionBudget]).some((budget) => selects(at(budget.props, "spec", "selector"), workload.podLabels) !== false);
      if (covered) continue;
      report(
        `${workload.label} runs ${count} replicas but no PodDisruptionBudget selects its pods, so a node drain or a cluster upgrade may evict them all at once. ` +
          `Add a PodDisruptionBudget in its namespace (e.g. maxUnavailable: 1) whose selector matches the pod template's labels.`,
        workload.resource.urn,
      );
    }
  },
};
