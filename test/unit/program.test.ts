// The program on both shipped stack files, under mocks: what it registers and in which order.
import { describe, expect, it } from "vitest";
import { k8sObject, ofType, resourceByObjectName } from "../support/pulumi-mocks";
import { runProgram } from "../support/run-program";
import { namespaceOf, STACKS } from "../support/stack-files";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

describe.each(STACKS)("the program on the %s stack file", (stack) => {
  it("deploys the three services of the design into the namespace the runbook types", async () => {
    const { run } = await runProgram(stack);
    const deployments = ofType(run, DEPLOYMENT).map((r) => (r.inputs.metadata as { name: string }).name);
    expect(deployments.sort()).toEqual(
      ["payment-service-blue", "payment-service-green", "recommendation-engine", "recommendation-engine-canary", "user-api"].sort(),
    );
    expect(namespaceOf(stack)).toBe(stack);
    for (const resource of run.resources.filter((r) => r.type.startsWith("kubernetes:") && r.type !== "kubernetes:core/v1:Namespace")) {
      expect((resource.inputs.metadata as { namespace: string }).namespace, resource.name).toBe(stack);
    }
  });

  it("runs the payment migration Job before the green slot that needs it", async () => {
    const { run } = await runProgram(stack);
    const job = resourceByObjectName(run, "kubernetes:batch/v1:Job", "payment-migration-v3.2.0");
    expect(resourceByObjectName(run, DEPLOYMENT, "payment-service-green").dependencies).toContain(job.urn);
    expect(resourceByObjectName(run, DEPLOYMENT, "payment-service-blue").dependencies).not.toContain(job.urn);
  });

  it("switches the live payment Service only after the green slot is ready", async () => {
    const { run } = await runProgram(stack);
    const green = resourceByObjectName(run, DEPLOYMENT, "payment-service-green");
    expect(resourceByObjectName(run, "kubernetes:core/v1:Service", "payment-service").dependencies).toContain(green.urn);
    expect(k8sObject(run, "kubernetes:core/v1:Service", "payment-service").spec.selector).toEqual({ app: "payment-service", version: "green" });
  });

  it("splits the recommendation engine 8 stable / 2 canary", async () => {
    const { run } = await runProgram(stack);
    expect(k8sObject(run, DEPLOYMENT, "recommendation-engine").spec.replicas).toBe(8);
    expect(k8sObject(run, DEPLOYMENT, "recommendation-engine-canary").spec.replicas).toBe(2);
  });

  it("parents every Deployment under a safe-deploy component", async () => {
    const { run } = await runProgram(stack);
    const components = new Set(run.resources.filter((r) => r.type.startsWith("safe-deploy:k8s:")).map((r) => r.urn));
    for (const resource of ofType(run, DEPLOYMENT)) expect(components.has(resource.parent), resource.name).toBe(true);
  });

  it("keeps the services in the outputs keyed by name, in the file's order", async () => {
    const { outputs } = await runProgram(stack);
    expect(Object.keys(outputs.services)).toEqual(["user-api", "payment-service", "recommendation-engine"]);
  });
});

describe("canary steps in production keep capacity", () => {
  const stable = "recommendation-engine";
  const canary = "recommendation-engine-canary";
  // The `services` output the program itself wrote at the step before, with `replicas` of its 10 pods on the canary.
  const recorded = async (replicas: number, stack: string) => {
    const { outputs } = await runProgram(stack, (raw) => (raw.services[stable]!.canaryWeight = replicas * 10));
    return { services: outputs.services };
  };
  const dependsOn = async (weight: number, before: number | undefined, stack = "production") => {
    const { run } = await runProgram(stack, (raw) => (raw.services[stable]!.canaryWeight = weight), {
      referencedOutputs: before === undefined ? {} : await recorded(before, stack),
    });
    const urn = (name: string) => resourceByObjectName(run, DEPLOYMENT, name).urn;
    return {
      stableWaitsForCanary: resourceByObjectName(run, DEPLOYMENT, stable).dependencies.includes(urn(canary)),
      canaryWaitsForStable: resourceByObjectName(run, DEPLOYMENT, canary).dependencies.includes(urn(stable)),
    };
  };

  it("grows the canary before stable shrinks on a step up (2 -> 3 canary pods)", async () => {
    expect(await dependsOn(30, 2)).toEqual({ stableWaitsForCanary: true, canaryWaitsForStable: false });
  });

  it("grows stable before the canary shrinks on an abort (2 -> 0 canary pods)", async () => {
    expect(await dependsOn(0, 2)).toEqual({ stableWaitsForCanary: false, canaryWaitsForStable: true });
  });

  it("grows stable first on a step down (3 -> 2 canary pods)", async () => {
    expect(await dependsOn(20, 3)).toEqual({ stableWaitsForCanary: false, canaryWaitsForStable: true });
  });

  it("resizes neither first when the split does not change", async () => {
    expect(await dependsOn(20, 2)).toEqual({ stableWaitsForCanary: false, canaryWaitsForStable: false });
  });

  it("takes a stack without recorded outputs as having no canary pods: the canary grows first", async () => {
    expect(await dependsOn(20, undefined)).toEqual({ stableWaitsForCanary: true, canaryWaitsForStable: false });
  });

  it("leaves staging's tracks to resize together", async () => {
    expect(await dependsOn(30, 2, "staging")).toEqual({ stableWaitsForCanary: false, canaryWaitsForStable: false });
  });
});

describe("the reference to the stack's own last outputs", () => {
  const references = async (stack: string, edit?: Parameters<typeof runProgram>[1]) =>
    (await runProgram(stack, edit)).run.reads.filter((r) => r.type === "pulumi:pulumi:StackReference").map((r) => r.name);

  it("is held in production even without a canary, so the policy pack can compare with what served before", async () => {
    expect(await references("production", (raw) => delete raw.services["recommendation-engine"])).toEqual(["previous-outputs"]);
  });

  it("is held in staging too, which keeps its recorded checklist there (no canary step is ordered by it)", async () => {
    expect(await references("staging")).toEqual(["previous-outputs"]);
  });
});
