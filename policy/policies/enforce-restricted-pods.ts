// Pods meet Kubernetes' `restricted` Pod Security Standard: not root, no
// privilege escalation, no privileged container, no host namespaces or host
// paths, every capability dropped, the runtime's default seccomp profile. A
// compromised process then stays inside its container. safe-deploy's
// namespaces enforce the same standard, so a pod that breaks it would be
// refused mid-update: the pack refuses it before anything changes.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containers, podTemplate, POD_BEARING } from "../lib/kubernetes";
import { validateKubernetes } from "../lib/validate";
import { at, items, str, UNKNOWN } from "../lib/values";

const HOST_NAMESPACES = ["hostNetwork", "hostPID", "hostIPC"] as const;
/** The only capability the restricted standard lets a container add. */
const ADDABLE = ["NET_BIND_SERVICE"];
const SECCOMP_OK = ["RuntimeDefault", "Localhost"];

export const enforceRestrictedPods: ResourceValidationPolicy = {
  name: "enforce-restricted-pods",
  description:
    "Pods meet the restricted Pod Security Standard: runAsNonRoot, allowPrivilegeEscalation false, not privileged, no hostNetwork/hostPID/hostIPC or hostPath volumes, capabilities drop ALL, seccompProfile RuntimeDefault. " +
    "Fix: set those fields in the pod's and each container's securityContext, and remove host namespaces and hostPath volumes.",
  enforcementLevel: "mandatory",
  validateResource: validateKubernetes(POD_BEARING, (object, _args, report) => {
    const template = podTemplate(object.type, object.props);
    const pod = at(template, "spec");
    if (pod === UNKNOWN || pod === undefined) return;
    const problems: string[] = [];

    for (const field of HOST_NAMESPACES) {
      if (at(pod, field) === true) problems.push(`${field}: true shares the node's namespace; remove it`);
    }
    const volumes = items(at(pod, "volumes"));
    if (volumes !== UNKNOWN) {
      for (const volume of volumes) {
        const hostPath = at(volume, "hostPath");
        if (hostPath !== undefined && hostPath !== null) problems.push(`volume '${String(str(at(volume, "name")) ?? "?")}' is a hostPath, which exposes the node's files; use another volume type`);
      }
    }

    const podContext = at(pod, "securityContext");
    const podNonRoot = at(podContext, "runAsNonRoot");
    const podUser = at(podContext, "runAsUser");
    const podSeccomp = at(podContext, "seccompProfile", "type");
    if (podUser === 0) problems.push("the pod's securityContext.runAsUser is 0 (root); run as a non-root user");

    const list = containers(template, { init: true });
    if (list !== UNKNOWN) {
      for (const ref of list) {
        const context = at(ref.container, "securityContext");
        const where = `container '${ref.name}'`;
        const nonRoot = at(context, "runAsNonRoot");
        const effectiveNonRoot = nonRoot === undefined || nonRoot === null ? podNonRoot : nonRoot;
        if (effectiveNonRoot !== UNKNOWN && effectiveNonRoot !== true) problems.push(`${where} may run as root: set runAsNonRoot: true (pod or container)`);
        if (at(context, "runAsUser") === 0) problems.push(`${where} sets runAsUser: 0 (root); run as a non-root user`);
        const privileged = at(context, "privileged");
        if (privileged === true) problems.push(`${where} is privileged, which gives it the node; remove privileged: true`);
        const escalation = at(context, "allowPrivilegeEscalation");
        if (escalation !== UNKNOWN && escalation !== false) problems.push(`${where} may gain privileges (setuid binaries): set allowPrivilegeEscalation: false`);
        const drop = items(at(context, "capabilities", "drop"));
        if (drop !== UNKNOWN && !drop.includes("ALL")) problems.push(`${where} keeps Linux capabilities: set capabilities.drop: ["ALL"]`);
        const add = items(at(context, "capabilities", "add"));
        if (add !== UNKNOWN) {
          const extra = add.filter((cap) => cap !== UNKNOWN && !ADDABLE.includes(String(cap)));
          if (extra.length > 0) problems.push(`${where} adds capabilities ${extra.map(String).join(", ")}; only NET_BIND_SERVICE is allowed`);
        }
        const seccomp = at(context, "seccompProfile", "type");
        const effectiveSeccomp = seccomp === undefined || seccomp === null ? podSeccomp : seccomp;
        if (effectiveSeccomp !== UNKNOWN && !SECCOMP_OK.includes(String(effectiveSeccomp))) {
          problems.push(`${where} runs without the runtime's seccomp profile: set seccompProfile.type: RuntimeDefault (pod or container)`);
        }
      }
    }

    if (problems.length > 0) {
      report(`${object.label} does not meet the restricted Pod Security Standard, so a compromised process could reach the node: ${problems.join("; ")}.`);
    }
  }),
};
