// CPU and memory requests (what the scheduler reserves) and limits (what a
// container may use) on every container, requests not above limits. Without
// requests pods land on full nodes; without limits one leaking pod starves
// its neighbours; the API server refuses a request above its limit mid-update.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containers, podTemplate, POD_BEARING } from "../lib/kubernetes";
import { quantityValue } from "../lib/quantity";
import { validateKubernetes } from "../lib/validate";
import { at, UNKNOWN } from "../lib/values";

const RESOURCES = ["cpu", "memory"] as const;

export const configureResourceLimits: ResourceValidationPolicy = {
  name: "configure-resource-limits",
  description:
    "Every container needs CPU and memory requests and limits, each request no higher than its limit. " +
    "Fix: set resources.requests and resources.limits for cpu and memory on each container (in safe-deploy: services.<name>.resources).",
  enforcementLevel: "mandatory",
  validateResource: validateKubernetes(POD_BEARING, (object, _args, report) => {
    const list = containers(podTemplate(object.type, object.props), { init: true });
    if (list === UNKNOWN) return;
    for (const ref of list) {
      const where = `${object.label}, container '${ref.name}'`;
      const missing: string[] = [];
      for (const kind of ["requests", "limits"] as const) {
        for (const resource of RESOURCES) {
          const value = at(ref.container, "resources", kind, resource);
          if (value === undefined || value === null || value === "") missing.push(`${kind}.${resource}`);
        }
      }
      if (missing.length > 0) {
        report(
          `${where}: no resources.${missing.join(", resources.")}; without requests the scheduler overcommits nodes, without limits one pod can starve the others. ` +
            `Set requests and limits for cpu and memory.`,
        );
      }
      for (const resource of RESOURCES) {
        const request = at(ref.container, "resources", "requests", resource);
        const limit = at(ref.container, "resources", "limits", resource);
        if ((typeof request !== "string" && typeof request !== "number") || (typeof limit !== "string" && typeof limit !== "number")) continue;
        const requested = quantityValue(request);
        const limited = quantityValue(limit);
        if (requested === undefined || limited === undefined) {
          report(`${where}: ${resource} ${requested === undefined ? `request '${request}'` : `limit '${limit}'`} is not a Kubernetes quantity (e.g. 250m, 1, 256Mi).`);
        } else if (requested > limited) {
          report(`${where}: ${resource} request ${request} is above its limit ${limit}; the API server refuses such a pod. Lower the request or raise the limit.`);
        }
      }
    }
  }),
};
