// monitoring-configured against Debian's Prometheus on loopback with a rules
// file: a service with an alerting rule passes, one without fails; recording
// rules do not count; a Prometheus that hangs is unknown within the bound.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checklistSchema } from "../../config/checklist";
import { gatherChecklist } from "../../checklist/gather";
import { debianServersReady, startPrometheusWithRules, type DebianServer } from "./support/debian-servers";
import { expectWithinBound } from "../support/time-bound";

const ready = debianServersReady("the Prometheus rules tests", ["prometheus"]);

const RULES = `groups:
  - name: shop
    rules:
      - alert: UserApiErrors
        expr: sum(rate(http_requests_total{app="user-api",code=~"5.."}[5m])) > 1
        for: 5m
        labels:
          severity: critical
      - alert: RecommendationsDown
        expr: up{job="recs"} == 0
        labels:
          app: recommendation-engine
          severity: critical
      - record: payment_service:requests:rate5m
        expr: sum(rate(http_requests_total{app="payment-service"}[5m]))
`;

describe.runIf(ready)("Prometheus rules source", () => {
  let prometheus: DebianServer | undefined;
  beforeAll(async () => {
    prometheus = await startPrometheusWithRules(RULES);
  }, 60_000);
  afterAll(async () => prometheus?.stop());

  async function monitoring(boundMs?: number) {
    const config = checklistSchema.parse({ prometheus: { url: prometheus?.url } });
    const services = ["user-api", "payment-service", "recommendation-engine"].map((name) => ({ name, image: `registry.example.com/shop/${name}`, version: "v1.0.0" }));
    const started = performance.now();
    const checklist = await gatherChecklist(config, { namespace: "production", services }, { deployedBy: "test", ...(boundMs === undefined ? {} : { boundMs }) });
    const item = (name: string) => checklist.services[name]?.find((r) => r.item === "monitoring-configured");
    return { item, elapsedMs: performance.now() - started };
  }

  it("passes for services with an alerting rule (by query or by label) and fails for one with only a recording rule", async () => {
    const { item } = await monitoring();
    expect(item("user-api")).toMatchObject({ status: "pass", reason: "1 alerting rule(s) watch user-api: UserApiErrors (shop)", source: `Prometheus ${prometheus?.url}` });
    expect(item("recommendation-engine")).toMatchObject({ status: "pass", reason: "1 alerting rule(s) watch recommendation-engine: RecommendationsDown (shop)" });
    expect(item("payment-service")).toMatchObject({
      status: "fail",
      reason: 'no alerting rule watches payment-service (none of 2 rule(s) has app="payment-service" in its labels or query); a bad release would page no one',
    });
  });

  it("is unknown for every service within its bound when Prometheus hangs", async () => {
    prometheus?.pause();
    try {
      const { item, elapsedMs } = await monitoring(500);
      for (const name of ["user-api", "payment-service", "recommendation-engine"]) {
        expect(item(name)).toMatchObject({ status: "unknown", reason: "timed out after 0.5 s" });
      }
      expectWithinBound(elapsedMs, 500, { waitedForIt: true });
    } finally {
      prometheus?.resume();
    }
  });
});
