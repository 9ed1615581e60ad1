// Every object the program asks for, validated against the Kubernetes OpenAPI
// schemas (kubernetes-models) and the Gateway API's (for HTTPRoute).
import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Job } from "kubernetes-models/batch/v1/Job";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Service } from "kubernetes-models/v1/Service";
import { describe, expect, it } from "vitest";
import { program } from "../../program";
import { startMockRun, type MockRun } from "../support/pulumi-mocks";
import { STACKS, stackFileConfig } from "../support/stack-files";

type Validator = (object: Record<string, unknown>) => void;

// Each model validates on construction of `.validate()`; an unknown kind fails the test.
const validators: Record<string, Validator> = {
  "kubernetes:core/v1:Namespace": (o) => new Namespace(o as ConstructorParameters<typeof Namespace>[0]).validate(),
  "kubernetes:core/v1:Service": (o) => new Service(o as ConstructorParameters<typeof Service>[0]).validate(),
  "kubernetes:apps/v1:Deployment": (o) => new Deployment(o as ConstructorParameters<typeof Deployment>[0]).validate(),
  "kubernetes:batch/v1:Job": (o) => new Job(o as ConstructorParameters<typeof Job>[0]).validate(),
  "kubernetes:policy/v1:PodDisruptionBudget": (o) => new PodDisruptionBudget(o as ConstructorParameters<typeof PodDisruptionBudget>[0]).validate(),
  "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute": (o) => new HTTPRoute(o as ConstructorParameters<typeof HTTPRoute>[0]).validate(),
};

async function kubernetesObjects(stack: string, config: Record<string, string>): Promise<MockRun["resources"]> {
  const run = await startMockRun({ stack, config });
  await program();
  await run.settled();
  return run.resources.filter((r) => r.type.startsWith("kubernetes:"));
}

/** The stack file with exact canary weights on an HTTPRoute, so the route is validated too. */
function withHttpRoute(stack: string): Record<string, string> {
  const config = stackFileConfig(stack);
  const services = JSON.parse(config["safe-deploy:services"] ?? "[]") as Record<string, unknown>[];
  const canary = services.find((s) => s.strategy === "canary");
  if (canary === undefined) throw new Error("the stack file has no canary service");
  canary.httpRoute = { gatewayName: "public", gatewayNamespace: "gateways", hostnames: ["shop.example.com"] };
  return { ...config, "safe-deploy:services": JSON.stringify(services) };
}

describe.each(STACKS)("the Kubernetes objects of the %s stack", (stack) => {
  it.each([
    ["as shipped", () => stackFileConfig(stack)],
    ["with exact canary weights", () => withHttpRoute(stack)],
  ])("are valid against the OpenAPI schemas (%s)", async (_label, config) => {
    const objects = await kubernetesObjects(stack, config());
    expect(objects.length).toBeGreaterThan(10);
    for (const object of objects) {
      const validate = validators[object.type];
      expect(validate, `no schema validator for ${object.type}`).toBeDefined();
      expect(() => validate?.(object.inputs), `${object.type} ${object.name}`).not.toThrow();
    }
  });
});

it("rejects an object the API server would reject (the validation has teeth)", () => {
  const broken = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: { replicas: "five", selector: {}, template: {} } };
  expect(() => validators["kubernetes:apps/v1:Deployment"]?.(broken)).toThrow();
});
