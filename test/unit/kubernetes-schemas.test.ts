// Every object the program asks for, validated against the Kubernetes OpenAPI
// schemas (kubernetes-models) and the Gateway API's (for HTTPRoute).
import { beforeAll, describe, expect, it } from "vitest";
import type { MockRun } from "../support/pulumi-mocks";
import { runProgram, type StackEdit } from "../support/run-program";
import { STACKS } from "../support/stack-files";

type Validator = (object: Record<string, unknown>) => void;

/** A kubernetes-models class: validates the object it is built from. */
type ModelClass = new (data: never) => { validate(): void };

// kubernetes-models ships ES modules only; this CommonJS test loads them with import().
const validators: Record<string, Validator> = {};

beforeAll(async () => {
  const model = (cls: ModelClass): Validator => (object) => new cls(object as never).validate();
  validators["kubernetes:core/v1:Namespace"] = model((await import("kubernetes-models/v1/Namespace")).Namespace);
  validators["kubernetes:core/v1:ConfigMap"] = model((await import("kubernetes-models/v1/ConfigMap")).ConfigMap);
  validators["kubernetes:core/v1:Service"] = model((await import("kubernetes-models/v1/Service")).Service);
  validators["kubernetes:apps/v1:Deployment"] = model((await import("kubernetes-models/apps/v1/Deployment")).Deployment);
  validators["kubernetes:batch/v1:Job"] = model((await import("kubernetes-models/batch/v1/Job")).Job);
  validators["kubernetes:policy/v1:PodDisruptionBudget"] = model((await import("kubernetes-models/policy/v1/PodDisruptionBudget")).PodDisruptionBudget);
  validators["kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"] = model(
    (await import("@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute")).HTTPRoute,
  );
});

async function kubernetesObjects(stack: string, edit?: StackEdit): Promise<MockRun["resources"]> {
  const { run } = await runProgram(stack, edit);
  return run.resources.filter((r) => r.type.startsWith("kubernetes:"));
}

/** Exact canary weights on an HTTPRoute, so the route is validated too. */
const withHttpRoute: StackEdit = (raw) => {
  raw.services["recommendation-engine"]!.httpRoute = { gatewayName: "public", gatewayNamespace: "gateways", hostnames: ["shop.example.com"] };
};

describe.each(STACKS)("the Kubernetes objects of the %s stack", (stack) => {
  it.each([
    ["as shipped", undefined],
    ["with exact canary weights", withHttpRoute],
  ])("are valid against the OpenAPI schemas (%s)", async (_label, edit) => {
    const objects = await kubernetesObjects(stack, edit);
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
