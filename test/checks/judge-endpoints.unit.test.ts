// The EndpointSlice rule over tables of endpoints: no cluster needed.
import { describe, expect, it } from "vitest";
import { judgeEndpoints, parseLabels, type ServedEndpoint } from "../../checks/judge-endpoints";

const pods = new Map([
  ["payment-service-green-a", { app: "payment-service", version: "green" }],
  ["payment-service-green-b", { app: "payment-service", version: "green" }],
  ["payment-service-blue-a", { app: "payment-service", version: "blue" }],
]);
const endpoint = (address: string, pod: string | undefined, ready = true): ServedEndpoint => ({ address, pod, ready });
const green = { version: "green" };

describe("judgeEndpoints", () => {
  it("passes when every ready endpoint is a pod with the expected labels", () => {
    const endpoints = [endpoint("10.0.0.1", "payment-service-green-a"), endpoint("10.0.0.2", "payment-service-green-b")];
    expect(judgeEndpoints("payment-service", endpoints, pods, green)).toEqual({ ok: true });
  });

  it("ignores endpoints that are not ready (a blue pod draining)", () => {
    const endpoints = [endpoint("10.0.0.1", "payment-service-green-a"), endpoint("10.0.0.3", "payment-service-blue-a", false)];
    expect(judgeEndpoints("payment-service", endpoints, pods, green)).toEqual({ ok: true });
  });

  it("fails a ready endpoint of the old version, naming its address, pod and label", () => {
    const endpoints = [endpoint("10.0.0.1", "payment-service-green-a"), endpoint("10.0.0.3", "payment-service-blue-a")];
    expect(judgeEndpoints("payment-service", endpoints, pods, green)).toEqual({
      ok: false,
      why: "1 of 2 ready endpoints are not version=green: endpoint 10.0.0.3 is pod payment-service-blue-a (version=blue), not version=green",
    });
  });

  it("fails a Service with no ready endpoints, since it serves nothing", () => {
    expect(judgeEndpoints("payment-service", [endpoint("10.0.0.1", "payment-service-green-a", false)], pods, green)).toEqual({
      ok: false,
      why: "Service 'payment-service' has no ready endpoints: it serves nothing",
    });
  });

  it("fails endpoints that are not pods or whose pod is gone", () => {
    const verdict = judgeEndpoints("payment-service", [endpoint("10.9.9.9", undefined), endpoint("10.0.0.7", "payment-service-green-z")], pods, green);
    expect(verdict).toEqual({
      ok: false,
      why: "2 of 2 ready endpoints are not version=green: endpoint 10.9.9.9 is not a pod; endpoint 10.0.0.7 is pod payment-service-green-z, which is gone",
    });
  });

  it("lists five wrong endpoints and counts the rest", () => {
    const endpoints = Array.from({ length: 7 }, (_, i) => endpoint(`10.0.1.${i}`, "payment-service-blue-a"));
    const verdict = judgeEndpoints("payment-service", endpoints, pods, green);
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.why.endsWith("; and 2 more")).toBe(true);
  });
});

describe("parseLabels", () => {
  it.each([
    ["version=green", { version: "green" }],
    ["app=payment-service,version=green", { app: "payment-service", version: "green" }],
    ["app.kubernetes.io/version=v3.2.0", { "app.kubernetes.io/version": "v3.2.0" }],
  ])("reads %s", (text, labels) => {
    expect(parseLabels(text)).toEqual(labels);
  });

  it.each(["", "version", "version=green,", "a b=c"])("refuses %j", (text) => {
    expect(parseLabels(text)).toBeUndefined();
  });
});
