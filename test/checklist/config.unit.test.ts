// The `checklist` settings: optional, the documented defaults, and refusals
// that name the key as `pulumi config set --path` takes it, never quoting a secret.
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../config/load";
import { editedRaw, problemsOf } from "../support/run-program";

function withChecklist(checklist: unknown) {
  return editedRaw("production", (raw) => {
    raw["checklist"] = checklist;
  });
}

describe("checklist config", () => {
  it("is optional: the shipped stack files parse without it", () => {
    expect(parseStackConfig(editedRaw("production")).checklist).toBeUndefined();
  });

  it("reads an unquoted YAML timestamp, which the CLI hands over as Go prints a time, as the instant it was written as", () => {
    const checklist = parseStackConfig(withChecklist({ attestations: { onCall: { by: "ana", at: "2026-11-26 09:30:00 +0000 UTC" } }, override: { by: "ana", reason: "payment outage, rolling forward a fix", at: "2026-11-26 10:15:00.5 +0100 CET" } })).checklist;
    expect({ onCall: checklist?.attestations?.onCall?.at, override: checklist?.override?.at }).toEqual({ onCall: "2026-11-26T09:30:00+00:00", override: "2026-11-26T10:15:00.5+01:00" });
  });

  it("fills in the documented defaults", () => {
    const checklist = parseStackConfig(withChecklist({ git: {}, github: { owner: "shop", repo: "app" }, window: {}, cluster: {}, alertmanager: { url: "http://127.0.0.1:9093" } })).checklist;
    expect(checklist).toMatchObject({
      timeoutSeconds: 5,
      maxAttestationAgeHours: 24,
      git: { repoPath: "." },
      github: { owner: "shop", repo: "app", baseUrl: "https://api.github.com" },
      cluster: { pendingBoundSeconds: 300 },
      alertmanager: { minSeverity: "critical", severities: ["info", "warning", "critical"], matchers: [] },
      window: {
        timeZone: "UTC",
        open: [
          { days: ["mon", "tue", "wed", "thu"], from: "09:00", to: "16:00" },
          { days: ["fri"], from: "09:00", to: "14:00" },
        ],
      },
      attestations: {},
    });
  });

  it.each([
    ["an unknown source", { gitlab: {} }, "safe-deploy:checklist.gitlab: is not a known setting (check its spelling)"],
    ["a bound of 0", { timeoutSeconds: 0 }, "safe-deploy:checklist.timeoutSeconds: must be at least 0.1 (got 0)"],
    ["a GitHub URL that is no URL", { github: { owner: "o", repo: "r", baseUrl: "github" } }, 'safe-deploy:checklist.github.baseUrl: must be an http:// or https:// URL (got "github")'],
    ["a time zone that does not exist", { window: { timeZone: "Mars/Olympus" } }, 'safe-deploy:checklist.window.timeZone: must be an IANA time zone such as Europe/Berlin or UTC (got "Mars/Olympus")'],
    ["a span that closes as it opens", { window: { open: [{ days: ["mon"], from: "16:00", to: "16:00" }] } }, "safe-deploy:checklist.window.open[0].to: must differ from from (a whole day is 00:00-24:00)"],
    ["a span that opens at the end of the day", { window: { open: [{ days: ["mon"], from: "24:00", to: "02:00" }] } }, "safe-deploy:checklist.window.open[0].from: must be before 24:00 (a span opens within its day)"],
    ["a time of day that is no time", { window: { open: [{ days: ["mon"], from: "9am", to: "16:00" }] } }, 'safe-deploy:checklist.window.open[0].from: must be a time of day HH:MM such as 09:00 or 16:30 (got "9am")'],
    ["a weekday that is none", { window: { open: [{ days: ["friday"], from: "09:00", to: "16:00" }] } }, "safe-deploy:checklist.window.open[0].days[0]: must be one of mon, tue, wed, thu, fri, sat, sun"],
    ["an attestation without a time", { attestations: { onCall: { by: "ana" } } }, "safe-deploy:checklist.attestations.onCall.at: is required (text)"],
    ["an attestation at a local time", { attestations: { onCall: { by: "ana", at: "2026-11-26 09:00" } } }, 'safe-deploy:checklist.attestations.onCall.at: must be an ISO 8601 time with an offset, such as 2026-11-26T09:30:00Z (got "2026-11-26 09:00")'],
    ["an override without a reason", { override: { by: "ana", reason: "", at: "2026-11-26T09:00:00Z" } }, "safe-deploy:checklist.override.reason: must say why in at least 10 characters; it is recorded with the release"],
    ["a severity not in the list", { alertmanager: { url: "http://am:9093", minSeverity: "page" } }, "safe-deploy:checklist.alertmanager.minSeverity: must be one of severities"],
    ["a staging stack that is not fully qualified", { staging: { stack: "staging" } }, "safe-deploy:checklist.staging.stack: must be a fully qualified stack name org/project/stack"],
    ["a registry user without password", { registry: { url: "https://r.example.com", username: "ci" } }, "safe-deploy:checklist.registry: must set username and password together"],
  ])("refuses %s", (_what, checklist, problem) => {
    expect(problemsOf(withChecklist(checklist))).toEqual([problem]);
  });

  it("never quotes a secret back: a token of the wrong type, a URL with a password", () => {
    const problems = problemsOf(
      withChecklist({ github: { owner: "o", repo: "r", token: 123456789 }, registry: { url: "https://ci:hunter2secret@r.example.com" } }),
    );
    expect(problems).toEqual([
      "safe-deploy:checklist.github.token: must be text: the GitHub token, set with `pulumi config set --secret --path ...`",
      "safe-deploy:checklist.registry.url: must not carry a user or password; set the credentials under their own keys with `pulumi config set --secret`",
    ]);
    expect(problems.join("\n")).not.toMatch(/123456789|hunter2secret/);
  });
});
