// Every serving container has a readiness probe (so traffic reaches a pod only
// once it answers, and a rollout waits for the new pods) and a liveness probe
// (so a hung process is restarted instead of holding its share of traffic).
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containers, podTemplate, SERVING_WORKLOADS } from "../lib/kubernetes";
import { validateKubernetes } from "../lib/validate";
import { at, UNKNOWN } from "../lib/values";

const PROBES = ["readinessProbe", "livenessProbe"] as const;

export const configureHealthProbes: ResourceValidationPolicy = {
  name: "configure-health-probes",
  description:
    "Every serving container needs a readiness probe (traffic and rollouts wait for it) and a liveness probe (a hung process is restarted). " +
    "Fix: add readinessProbe and livenessProbe (e.g. httpGet on the health path) to each container of the Deployment.",
  enforcementLevel: "mandatory",
  validateResource: validateKubernetes(SERVING_WORKLOADS, (object, _args, report) => {
    const list = containers(podTemplate(object.type, object.props));
    if (list === UNKNOWN) return;
    for (const ref of list) {
      const missing = PROBES.filter((probe) => at(ref.container, probe) === undefined || at(ref.container, probe) === null);
      if (missing.length === 0) continue;
      const why = missing.includes("readinessProbe")
        ? "without a readiness probe a pod gets traffic before it can answer and a rollout does not wait for it"
        : "without a liveness probe a hung process keeps its share of traffic until someone notices";
      report(`${object.label}, container '${ref.name}': no ${missing.join(" and no ")}; ${why}. Add ${missing.join(" and ")} (e.g. httpGet on the health path).`);
    }
  }),
};
