import { describe, expect, it } from "vitest";
import { program, type StackOutputs } from "../../program";
import { k8sObject, ofType, resourceByObjectName, startMockRun, type MockRun } from "../support/pulumi-mocks";
import { STACKS, stackFileConfig } from "../support/stack-files";

async function runStack(stack: string): Promise<{ run: MockRun; outputs: StackOutputs }> {
  const run = await startMockRun({ stack, config: stackFileConfig(stack) });
  const outputs = await program();
  await run.settled();
  return { run, outputs };
}

describe.each(STACKS)("the program on the %s stack file", (stack) => {
  it("deploys the three services of the design into the stack's namespace", async () => {
    const { run } = await runStack(stack);
    const deployments = ofType(run, "kubernetes:apps/v1:Deployment").map((r) => (r.inputs.metadata as { name: string }).name);
    expect(deployments.sort()).toEqual(
      ["payment-service-blue", "payment-service-green", "recommendation-engine", "recommendation-engine-canary", "user-api"].sort(),
    );
    for (const resource of run.resources.filter((r) => r.type.startsWith("kubernetes:") && r.type !== "kubernetes:core/v1:Namespace")) {
      expect((resource.inputs.metadata as { namespace: string }).namespace, resource.name).toBe(`safe-deploy-${stack}`);
    }
  });

  it("runs the payment migration Job before the green slot that needs it", async () => {
    const { run } = await runStack(stack);
    const job = resourceByObjectName(run, "kubernetes:batch/v1:Job", "payment-migration-v3.2.0");
    const green = resourceByObjectName(run, "kubernetes:apps/v1:Deployment", "payment-service-green");
    const blue = resourceByObjectName(run, "kubernetes:apps/v1:Deployment", "payment-service-blue");
    expect(green.dependencies).toContain(job.urn);
    expect(blue.dependencies).not.toContain(job.urn);
  });

  it("switches the live payment Service only after the green slot is ready", async () => {
    const { run } = await runStack(stack);
    const green = resourceByObjectName(run, "kubernetes:apps/v1:Deployment", "payment-service-green");
    const live = resourceByObjectName(run, "kubernetes:core/v1:Service", "payment-service");
    expect(live.dependencies).toContain(green.urn);
    expect(k8sObject(run, "kubernetes:core/v1:Service", "payment-service").spec.selector).toEqual({ app: "payment-service", version: "green" });
  });

  it("splits the recommendation engine 8 stable / 2 canary", async () => {
    const { run } = await runStack(stack);
    expect(k8sObject(run, "kubernetes:apps/v1:Deployment", "recommendation-engine").spec.replicas).toBe(8);
    expect(k8sObject(run, "kubernetes:apps/v1:Deployment", "recommendation-engine-canary").spec.replicas).toBe(2);
  });

  it("parents every child under a safe-deploy component", async () => {
    const { run } = await runStack(stack);
    const components = new Set(run.resources.filter((r) => r.type.startsWith("safe-deploy:k8s:")).map((r) => r.urn));
    for (const resource of ofType(run, "kubernetes:apps/v1:Deployment")) expect(components.has(resource.parent), resource.name).toBe(true);
  });
});
