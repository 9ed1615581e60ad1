import { describe, expect, it } from "vitest";
import { enforceRestrictedPods } from "../../policy/policies/enforce-restricted-pods";
import { deployment, edited, migrationJob, REMOVE, T } from "./fixtures";
import { judgeResource } from "./support/judge";
import { UNKNOWN_ON_THE_WIRE } from "./support/sdk";

const POD = ["spec", "template", "spec"] as const;
const CONTAINER_CONTEXT = [...POD, "containers", 0, "securityContext"] as const;
const judge = (props: Record<string, unknown>, type: string = T.deployment) => judgeResource(enforceRestrictedPods, { type, props });

async function problem(props: Record<string, unknown>): Promise<string> {
  const { violations } = await judge(props);
  expect(violations).toHaveLength(1);
  return violations[0] ?? "";
}

describe("enforce-restricted-pods", () => {
  it("passes a Deployment with the restricted security context", async () => {
    expect(await judge(deployment())).toEqual({ violations: [] });
  });

  it("passes a migration Job with the restricted security context", async () => {
    expect(await judge(migrationJob(), T.job)).toEqual({ violations: [] });
  });

  it("refuses a privileged container, in one message that names the standard", async () => {
    expect(await problem(edited(deployment(), [...CONTAINER_CONTEXT, "privileged"], true))).toBe(
      "Deployment production/user-api does not meet the restricted Pod Security Standard, so a compromised process could reach the node: " +
        "container 'user-api' is privileged, which gives it the node; remove privileged: true.",
    );
  });

  it("refuses a container that may escalate privileges", async () => {
    expect(await problem(edited(deployment(), [...CONTAINER_CONTEXT, "allowPrivilegeEscalation"], REMOVE))).toContain("set allowPrivilegeEscalation: false");
  });

  it("refuses a container that may run as root when neither pod nor container says otherwise", async () => {
    const rootable = edited(edited(deployment(), [...CONTAINER_CONTEXT, "runAsNonRoot"], REMOVE), [...POD, "securityContext", "runAsNonRoot"], REMOVE);
    expect(await problem(rootable)).toContain("container 'user-api' may run as root");
  });

  it("takes runAsNonRoot from the pod when the container does not set it", async () => {
    expect(await judge(edited(deployment(), [...CONTAINER_CONTEXT, "runAsNonRoot"], REMOVE))).toEqual({ violations: [] });
  });

  it("refuses runAsUser 0", async () => {
    expect(await problem(edited(deployment(), [...CONTAINER_CONTEXT, "runAsUser"], 0))).toContain("sets runAsUser: 0 (root)");
  });

  it("refuses capabilities that are not all dropped", async () => {
    expect(await problem(edited(deployment(), [...CONTAINER_CONTEXT, "capabilities", "drop"], ["NET_RAW"]))).toContain('set capabilities.drop: ["ALL"]');
  });

  it("refuses an added capability other than NET_BIND_SERVICE", async () => {
    expect(await problem(edited(deployment(), [...CONTAINER_CONTEXT, "capabilities", "add"], ["SYS_ADMIN"]))).toContain("adds capabilities SYS_ADMIN");
  });

  it("allows adding NET_BIND_SERVICE", async () => {
    expect(await judge(edited(deployment(), [...CONTAINER_CONTEXT, "capabilities", "add"], ["NET_BIND_SERVICE"]))).toEqual({ violations: [] });
  });

  it("refuses a pod without the runtime's seccomp profile", async () => {
    expect(await problem(edited(deployment(), [...POD, "securityContext", "seccompProfile"], REMOVE))).toContain("set seccompProfile.type: RuntimeDefault");
  });

  it("refuses a container that turns seccomp off", async () => {
    expect(await problem(edited(deployment(), [...CONTAINER_CONTEXT, "seccompProfile"], { type: "Unconfined" }))).toContain("runs without the runtime's seccomp profile");
  });

  it.each(["hostNetwork", "hostPID", "hostIPC"])("refuses %s", async (field) => {
    expect(await problem(edited(deployment(), [...POD, field], true))).toContain(`${field}: true shares the node's namespace`);
  });

  it("refuses a hostPath volume", async () => {
    expect(await problem(edited(deployment(), [...POD, "volumes"], [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }]))).toContain(
      "volume 'docker' is a hostPath",
    );
  });

  it("checks init containers too", async () => {
    const init = edited(deployment(), [...POD, "initContainers"], [{ name: "setup", image: "busybox:1.36", securityContext: { privileged: true } }]);
    const { violations } = await judge(init);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain("container 'setup' is privileged");
  });

  it("tolerates a security context preview cannot know yet", async () => {
    expect(await judge(edited(deployment(), CONTAINER_CONTEXT, UNKNOWN_ON_THE_WIRE))).toEqual({ violations: [] });
  });
});
