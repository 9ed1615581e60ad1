// The `analysis` settings of a canary service: the documented defaults, and
// every refusal by its exact message, naming the key as `pulumi config set --path` takes it.
import { describe, expect, it } from "vitest";
import { DEFAULT_ANALYSIS_QUERIES, defaultCanaryAnalysis } from "../../config/canary-analysis";
import { parseStackConfig } from "../../config/load";
import type { CanaryServiceConfig } from "../../config/schema";
import { PINNED_SETTINGS } from "../support/canary-traffic";
import { editedRaw, problemsOf } from "../support/run-program";

const KEY = "safe-deploy:services.recommendation-engine.analysis";

/** The staging file with `analysis` set on the canary service. */
function withAnalysis(analysis: unknown) {
  return editedRaw("staging", (raw) => {
    const service = raw.services["recommendation-engine"];
    if (service === undefined) throw new Error("the staging file lost its canary service");
    service["analysis"] = analysis;
  });
}

function canaryOf(raw: Record<string, unknown>): CanaryServiceConfig {
  const service = parseStackConfig(raw).services.find((s) => s.name === "recommendation-engine");
  if (service?.strategy !== "canary") throw new Error("no canary service");
  return service;
}

describe("canary analysis config", () => {
  it("is optional: the shipped stack files have none and still parse", () => {
    expect(canaryOf(editedRaw("production")).analysis).toBeUndefined();
  });

  it("fills in every documented default from an empty analysis", () => {
    expect(canaryOf(withAnalysis({})).analysis).toEqual({
      prometheusUrl: "http://127.0.0.1:9090",
      intervalSeconds: 30,
      timeoutSeconds: 10,
      confidence: 0.95,
      maxErrorRatio: 1.5,
      maxSlowRatio: 1.5,
      latencyQuantile: 0.99,
      checkLatency: true,
      minCanaryRequests: 500,
      maxDurationSeconds: 1800,
      queries: DEFAULT_ANALYSIS_QUERIES,
    });
    expect(defaultCanaryAnalysis()).toEqual(canaryOf(withAnalysis({})).analysis);
  });

  it("keeps the default queries for the keys a partial `queries` leaves out", () => {
    const requests = 'sum(increase(my_requests_total{svc="{{app}}",track="{{version}}"}[{{interval}}]))';
    expect(canaryOf(withAnalysis({ queries: { requests } })).analysis?.queries).toEqual({ ...DEFAULT_ANALYSIS_QUERIES, requests });
  });

  // Each row: why it is refused, the analysis set, the exact message.
  it.each<[string, unknown, string]>([
    ["an unknown key", { confidance: 0.9 }, `${KEY}.confidance: is not a known setting (check its spelling)`],
    ["a confidence of 1, which no test can reach", { confidence: 1 }, `${KEY}.confidence: must be between 0.8 and 0.999: 1 - confidence is the chance of a false fail (got 1)`],
    ["a confidence of 0.5", { confidence: 0.5 }, `${KEY}.confidence: must be between 0.8 and 0.999: 1 - confidence is the chance of a false fail (got 0.5)`],
    ["a tolerated error ratio of 1", { maxErrorRatio: 1 }, `${KEY}.maxErrorRatio: must be above 1: a canary exactly as good as the stable must never fail (got 1)`],
    ["a tolerated slow ratio of 0.5", { maxSlowRatio: 0.5 }, `${KEY}.maxSlowRatio: must be above 1: a canary exactly as good as the stable must never fail (got 0.5)`],
    ["a tolerated ratio given as text", { maxErrorRatio: "2x" }, `${KEY}.maxErrorRatio: must be a number (got "2x")`],
    ["an interval of 0", { intervalSeconds: 0 }, `${KEY}.intervalSeconds: must be at least 1 (got 0)`],
    ["a fractional interval", { intervalSeconds: 1.5 }, `${KEY}.intervalSeconds: must be a whole number (got 1.5)`],
    ["an interval longer than half the analysis", { intervalSeconds: 600, maxDurationSeconds: 900 }, `${KEY}.intervalSeconds: must be at most half of maxDurationSeconds, so the analysis looks at least twice (600 s against 900 s)`],
    ["a query timeout of 5 minutes", { timeoutSeconds: 300 }, `${KEY}.timeoutSeconds: must be at most 120 (got 300)`],
    ["no minimum traffic", { minCanaryRequests: 0 }, `${KEY}.minCanaryRequests: must be at least 1 (got 0)`],
    ["a Prometheus URL that is not HTTP", { prometheusUrl: "prometheus:9090" }, `${KEY}.prometheusUrl: must be an http:// or https:// URL (got "prometheus:9090")`],
    ["checkLatency as text", { checkLatency: "yes" }, `${KEY}.checkLatency: must be true or false (got "yes")`],
    ["a latency quantile of 1", { latencyQuantile: 1 }, `${KEY}.latencyQuantile: must be at most 0.999 (got 1)`],
    [
      "a query that cannot tell the tracks apart",
      { queries: { errors: 'sum(increase(http_requests_total{app="{{app}}",code=~"5.."}[{{interval}}]))' } },
      `${KEY}.queries.errors: must select a track with {{version}}, or the stable and the canary would read the same series (got 'sum(increase(http_requests_total{app="{{app}}",code=~"5.."}[{{interval}}]))')`,
    ],
    [
      "a query with an unknown placeholder",
      { queries: { requests: 'sum(increase(http_requests_total{service="{{service}}",version="{{version}}"}[{{interval}}]))' } },
      `${KEY}.queries.requests: uses '{{service}}', which is not one of {{app}}, {{version}}, {{namespace}}, {{interval}}`,
    ],
    ["an empty latency query", { queries: { latency: "" } }, `${KEY}.queries.latency: must not be empty`],
    ["an unknown query", { queries: { saturation: "x" } }, `${KEY}.queries.saturation: is not a known setting (check its spelling)`],
  ])("refuses %s", (_why, analysis, message) => {
    expect(problemsOf(withAnalysis(analysis))).toEqual([message]);
  });

  it("refuses `analysis` on a service that is not a canary", () => {
    const raw = editedRaw("staging", (r) => {
      const service = r.services["user-api"];
      if (service !== undefined) service["analysis"] = {};
    });
    expect(problemsOf(raw)).toEqual(["safe-deploy:services.user-api.analysis: is not a known setting (check its spelling)"]);
  });
});

it("has the defaults the decision tests pin, so a changed default shows up here first", () => {
  expect(defaultCanaryAnalysis()).toMatchObject(PINNED_SETTINGS);
});
