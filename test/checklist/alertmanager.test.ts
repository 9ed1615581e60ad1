// no-active-incident against Debian's Alertmanager on loopback, alerts posted
// to its API v2: none, one below the severity, one at it, one outside the
// configured matchers, and an Alertmanager that hangs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { checklistSchema } from "../../config/checklist";
import { gatherChecklist } from "../../checklist/gather";
import { freePort } from "../checks/loopback-server";
import { debianServersReady, postAlerts, startAlertmanager, type DebianServer } from "./support/debian-servers";
import { expectWithinBound } from "../support/time-bound";

const ready = debianServersReady("the Alertmanager tests", ["prometheus-alertmanager"]);

describe.runIf(ready)("Alertmanager source", () => {
  let alertmanager: DebianServer | undefined;
  beforeAll(async () => {
    alertmanager = await startAlertmanager();
  }, 60_000);
  afterAll(async () => alertmanager?.stop());
  // Each test starts from no alerts: a fresh Alertmanager per test would cost a second each.
  afterEach(async () => {
    if (alertmanager === undefined) return;
    const listed = (await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json()) as { labels: Record<string, string> }[];
    const ended = listed.map((alert) => ({ labels: alert.labels, endsAt: new Date(Date.now() - 1000).toISOString() }));
    if (ended.length > 0) await fetch(`${alertmanager.url}/api/v2/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ended) });
  });

  async function incidentItem(settings: Record<string, unknown> = {}, boundMs?: number) {
    const url = alertmanager?.url ?? "";
    const config = checklistSchema.parse({ alertmanager: { url, ...settings } });
    const started = performance.now();
    const checklist = await gatherChecklist(config, { namespace: "production", services: [] }, { deployedBy: "test", ...(boundMs === undefined ? {} : { boundMs }) });
    const item = checklist.release.find((r) => r.item === "no-active-incident");
    if (item === undefined) throw new Error("no no-active-incident");
    return { item, elapsedMs: performance.now() - started };
  }

  it("passes when nothing fires", async () => {
    const { item } = await incidentItem();
    expect(item).toMatchObject({ status: "pass", reason: "no alert is firing", source: `Alertmanager ${alertmanager?.url}` });
  });

  it("passes with a warning firing when the floor is critical, and fails with a critical one, naming it", async () => {
    await postAlerts(alertmanager?.url ?? "", [{ alertname: "HighLatency", severity: "warning", namespace: "production" }]);
    expect((await incidentItem()).item).toMatchObject({ status: "pass", reason: "1 alert(s) firing, none at or above critical" });
    await postAlerts(alertmanager?.url ?? "", [{ alertname: "PaymentsDown", severity: "critical", namespace: "production" }]);
    const { item } = await incidentItem();
    expect(item.status).toBe("fail");
    expect(item.reason).toMatch(/^1 alert\(s\) firing at or above critical: PaymentsDown \(critical, since .+, namespace production\)/);
  });

  it("counts a warning when the floor is warning", async () => {
    await postAlerts(alertmanager?.url ?? "", [{ alertname: "HighLatency", severity: "warning" }]);
    expect((await incidentItem({ minSeverity: "warning" })).item.status).toBe("fail");
  });

  it("counts only the alerts the matchers select", async () => {
    await postAlerts(alertmanager?.url ?? "", [{ alertname: "StagingDown", severity: "critical", namespace: "staging" }]);
    expect((await incidentItem({ matchers: ['namespace="production"'] })).item).toMatchObject({ status: "pass", reason: "no alert is firing" });
    expect((await incidentItem()).item.status).toBe("fail");
  });

  it("does not count a silenced alert", async () => {
    await postAlerts(alertmanager?.url ?? "", [{ alertname: "KnownIssue", severity: "critical" }]);
    const silence = {
      matchers: [{ name: "alertname", value: "KnownIssue", isRegex: false, isEqual: true }],
      startsAt: new Date(Date.now() - 1000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      createdBy: "test",
      comment: "the release is the fix",
    };
    const created = await fetch(`${alertmanager?.url}/api/v2/silences`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(silence) });
    expect(created.ok).toBe(true);
    const { silenceID } = (await created.json()) as { silenceID: string };
    try {
      // Alertmanager marks alerts silenced on its next look; poll briefly.
      let status = "";
      for (let i = 0; i < 50 && status !== "pass"; i++) {
        status = (await incidentItem()).item.status;
        if (status !== "pass") await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe("pass");
    } finally {
      await fetch(`${alertmanager?.url}/api/v2/silence/${silenceID}`, { method: "DELETE" });
    }
  });

  it("is unknown within its bound when Alertmanager hangs", async () => {
    alertmanager?.pause();
    try {
      const { item, elapsedMs } = await incidentItem({}, 500);
      expect(item).toMatchObject({ status: "unknown", reason: "timed out after 0.5 s" });
      expectWithinBound(elapsedMs, 500, { waitedForIt: true });
    } finally {
      alertmanager?.resume();
    }
  });

  it("is unknown, naming the cause, when nothing listens", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const { item } = await incidentItem({ url });
    expect(item).toMatchObject({ status: "unknown", reason: `Alertmanager at ${url} is unreachable (ECONNREFUSED)` });
  });
});
