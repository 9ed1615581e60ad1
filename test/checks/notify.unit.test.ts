// The notification's words, where its secrets come from, and that they are taken out of any text.
import { describe, expect, it } from "vitest";
import { parseCriticalRequests } from "../../checks/critical-request";
import { buildMessage, headline, type DeploymentNotice } from "../../checks/notify-message";
import { redact, REDACTED } from "../../checks/redact";
import { readWebhookSecrets } from "../../checks/webhook-secrets";

const notice: DeploymentNotice = {
  event: "start",
  service: "payment-service",
  version: "v3.2.0",
  environment: "production",
  who: "alice",
};

describe("the message", () => {
  it.each([
    [{ event: "start" }, "Starting production deployment of payment-service v3.2.0"],
    [{ event: "success" }, "Production deployment of payment-service v3.2.0 succeeded"],
    [{ event: "failure" }, "Production deployment of payment-service v3.2.0 failed"],
    [{ event: "rollback", rollbackTo: "v3.1.0" }, "Rolling back production deployment of payment-service v3.2.0 to v3.1.0"],
    [{ event: "step", step: "v3.2.0 as the canary at 30% of the traffic" }, "Production deployment of payment-service v3.2.0: v3.2.0 as the canary at 30% of the traffic"],
    [{ event: "held" }, "Production deployment of payment-service v3.2.0 is held: the canary analysis could not decide in time"],
    [{ event: "aborted" }, "Production deployment of payment-service v3.2.0: canary aborted, traffic back on the stable track"],
  ] as const)("says %j in the runbook's words", (change, words) => {
    expect(headline({ ...notice, ...change })).toBe(words);
  });

  it("carries service, version, environment, who, the rollback command and the dashboard", () => {
    const message = buildMessage({
      ...notice,
      rollbackCommand: "kubectl patch service payment-service -n production -p '{\"spec\":{\"selector\":{\"version\":\"blue\"}}}'",
      dashboardUrl: "https://grafana.example.com/d/payments",
    });

    expect(message.text.split("\n")).toEqual([
      "Starting production deployment of payment-service v3.2.0",
      "Service: payment-service",
      "Version: v3.2.0",
      "Environment: production",
      "By: alice",
      "Rollback: `kubectl patch service payment-service -n production -p '{\"spec\":{\"selector\":{\"version\":\"blue\"}}}'`",
      "Dashboard: <https://grafana.example.com/d/payments|payment-service dashboard>",
    ]);
  });

  it("escapes Slack markup in values, so a reason cannot become a link", () => {
    const message = buildMessage({ ...notice, event: "failure", reason: "health <503> & version" });
    expect(message.text).toContain("Reason: health &lt;503&gt; &amp; version");
  });
});

describe("the webhook's secrets", () => {
  it("come from the environment", () => {
    expect(readWebhookSecrets({ SAFE_DEPLOY_WEBHOOK_URL: "https://hooks.example.com/T1/B2/xyz", SAFE_DEPLOY_WEBHOOK_TOKEN: "tok" })).toEqual({
      url: "https://hooks.example.com/T1/B2/xyz",
      token: "tok",
    });
  });

  it("or from files named by the environment, trimmed", () => {
    const files: Record<string, string> = { "/run/secrets/url": "https://hooks.example.com/T1/B2/xyz\n", "/run/secrets/token": "tok\n" };
    const secrets = readWebhookSecrets({ SAFE_DEPLOY_WEBHOOK_URL_FILE: "/run/secrets/url", SAFE_DEPLOY_WEBHOOK_TOKEN_FILE: "/run/secrets/token" }, (path) => {
      const text = files[path];
      if (text === undefined) throw new Error("missing");
      return text;
    });
    expect(secrets).toEqual({ url: "https://hooks.example.com/T1/B2/xyz", token: "tok" });
  });

  it("are required, and named by their variables", () => {
    expect(() => readWebhookSecrets({})).toThrow(
      "no webhook: set SAFE_DEPLOY_WEBHOOK_URL or SAFE_DEPLOY_WEBHOOK_URL_FILE (never a flag, so it stays out of argv)",
    );
  });

  it("are never quoted when they are bad", () => {
    expect(() => readWebhookSecrets({ SAFE_DEPLOY_WEBHOOK_URL: "not-a-url-s3cret" })).toThrow("SAFE_DEPLOY_WEBHOOK_URL is not a URL (its value is not shown)");
    try {
      readWebhookSecrets({ SAFE_DEPLOY_WEBHOOK_URL: "not-a-url-s3cret" });
    } catch (error) {
      expect(String(error)).not.toContain("s3cret");
    }
  });

  it("are taken out of any text: the URL, its path and query, and the token", () => {
    const secrets = { url: "https://hooks.example.com/services/T1/B2/xyz?key=k9", token: "tok-123" };
    const text = `posting to https://hooks.example.com/services/T1/B2/xyz?key=k9 (path /services/T1/B2/xyz, ?key=k9) with Bearer tok-123`;
    expect(redact(text, secrets)).toBe(`posting to ${REDACTED} (path ${REDACTED}, ${REDACTED}) with Bearer ${REDACTED}`);
  });
});

describe("a requests file", () => {
  it("fills the defaults", () => {
    expect(parseCriticalRequests('[{"name":"list","path":"/orders"}]', "requests.json")).toEqual([
      { name: "list", method: "GET", path: "/orders", headers: {}, expectStatus: 200, expectJson: {} },
    ]);
  });

  it("is refused with each bad key named by its place", () => {
    expect(() => parseCriticalRequests('[{"name":"list","path":"orders","expectStatus":99,"extra":1}]', "requests.json")).toThrow(
      /requests\.json: not a list of critical requests:\n(?=[\s\S]*0\.path: must start with '\/')(?=[\s\S]*0\.expectStatus)(?=[\s\S]*extra)/,
    );
  });
});
