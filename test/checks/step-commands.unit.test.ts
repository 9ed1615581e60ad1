// The checker's command lines as the steps run them: `kubernetes:context` on the verify line when the
// stack sets it, and nothing of the kubeconfig itself, which goes through the step's environment.
import { describe, expect, it } from "vitest";
import { verifyLine, type VerifyLine } from "../../checks/step-commands";

const endpoints = { service: "payment-service", namespace: "production", expectPods: { version: "green" } };
const line: VerifyLine = {
  url: "http://payment-service-green.production.svc",
  expectVersion: "v3.2.0",
  healthPath: "/health",
  versionPath: "/version",
  timeoutSeconds: 5,
  withRequests: false,
  everySeconds: 10,
  forSeconds: 300,
  errorBudget: 0,
  endpoints,
};

describe("the verify line", () => {
  it("reads the EndpointSlices through the kubeconfig's current context when no context is given", () => {
    expect(verifyLine(line)).toMatch(/ --expect-pods version=green$/);
  });

  it("names the context the stack's kubernetes:context gives", () => {
    expect(verifyLine({ ...line, endpoints: { ...endpoints, context: "prod-eu" } })).toMatch(/ --expect-pods version=green --context prod-eu$/);
  });
});
