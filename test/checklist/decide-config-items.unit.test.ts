// The items decided from config and the clock alone: the deployment window
// (time zones, the Friday rule, the emergency override), the attestations and
// their age, and the rollback target.
import { describe, expect, it } from "vitest";
import { checklistSchema } from "../../config/checklist";
import { decideAttestation } from "../../checklist/sources/attestations";
import { decideRollbackTarget } from "../../checklist/sources/rollback-target";
import { decideWindow, localTime } from "../../checklist/sources/window";

const runbookWindow = (timeZone: string) => checklistSchema.parse({ window: { timeZone } }).window;

describe("deployment-window", () => {
  it.each([
    // 2026-11-23 is a Monday.
    ["Monday 10:00 in Berlin", "2026-11-23T09:00:00Z", "Europe/Berlin", "pass", "mon 10:00 Europe/Berlin is inside the window (mon,tue,wed,thu 09:00-16:00)"],
    ["Monday 08:59 in Berlin", "2026-11-23T07:59:00Z", "Europe/Berlin", "fail", "mon 08:59 Europe/Berlin is outside the window"],
    ["Monday 16:00 in Berlin: the end is not included", "2026-11-23T15:00:00Z", "Europe/Berlin", "fail", "mon 16:00 Europe/Berlin is outside the window"],
    ["Friday 13:59 in Berlin", "2026-11-27T12:59:00Z", "Europe/Berlin", "pass", "fri 13:59 Europe/Berlin is inside the window (fri 09:00-14:00)"],
    ["Friday 14:00 in Berlin: no Friday after 14:00", "2026-11-27T13:00:00Z", "Europe/Berlin", "fail", "fri 14:00 Europe/Berlin is outside the window"],
    ["Saturday noon", "2026-11-28T12:00:00Z", "UTC", "fail", "sat 12:00 UTC is outside the window"],
    ["the same instant on Monday in Tokyo, Sunday in New York", "2026-11-23T02:00:00Z", "Asia/Tokyo", "pass", "mon 11:00 Asia/Tokyo is inside"],
    ["the same instant on Monday in Tokyo, Sunday in New York", "2026-11-23T02:00:00Z", "America/New_York", "fail", "sun 21:00 America/New_York is outside"],
    ["summer time in Berlin (UTC+2)", "2026-07-06T07:30:00Z", "Europe/Berlin", "pass", "mon 09:30 Europe/Berlin is inside"],
  ])("%s (%s, %s): %s", (_what, at, zone, status, reason) => {
    const result = decideWindow(runbookWindow(zone), undefined, new Date(at), 24);
    expect(result.status).toBe(status);
    expect(result.reason).toContain(reason);
    expect(result.item).toBe("deployment-window");
  });

  it.each([
    // 22:00-02:00 on every day but Sunday night: the low-traffic hours of a 24/7 service. 2026-11-23 is a Monday.
    ["Monday 23:30", "2026-11-23T23:30:00Z", "pass"],
    ["Tuesday 01:59, the same night", "2026-11-24T01:59:00Z", "pass"],
    ["Tuesday 02:00: the end is not included", "2026-11-24T02:00:00Z", "fail"],
    ["Monday 21:59", "2026-11-23T21:59:00Z", "fail"],
    ["Monday 01:00, after Sunday, whose night is closed", "2026-11-23T01:00:00Z", "fail"],
    ["Sunday 01:00, after Saturday's night", "2026-11-29T01:00:00Z", "pass"],
  ])("with a window across midnight: %s is %s", (_what, at, status) => {
    const window = checklistSchema.parse({ window: { timeZone: "UTC", open: [{ days: ["mon", "tue", "wed", "thu", "fri", "sat"], from: "22:00", to: "02:00" }] } }).window;
    const result = decideWindow(window, undefined, new Date(at), 24);
    expect(result.status).toBe(status);
    if (status === "pass") expect(result.reason).toContain("is inside the window (mon,tue,wed,thu,fri,sat 22:00-02:00)");
  });

  it("is unknown, not configured, without a window, and the fix names the key", () => {
    const result = decideWindow(undefined, undefined, new Date(), 24);
    expect(result).toMatchObject({ status: "unknown", reason: "not configured", source: "config safe-deploy:checklist.window" });
    expect(result.fix).toContain("checklist.window");
  });

  it("passes outside the window with a fresh override, and says so with who and why", () => {
    const override = { by: "ana (on-call)", reason: "payment outage, hotfix for INC-42", at: "2026-11-28T11:30:00Z" };
    const result = decideWindow(runbookWindow("UTC"), override, new Date("2026-11-28T12:00:00Z"), 24);
    expect(result).toMatchObject({ status: "pass", source: "clock and config safe-deploy:checklist.override" });
    expect(result.reason).toBe(
      "sat 12:00 UTC is outside the window (mon,tue,wed,thu 09:00-16:00; fri 09:00-14:00); EMERGENCY OVERRIDE by ana (on-call) at 2026-11-28T11:30:00Z: payment outage, hotfix for INC-42",
    );
  });

  it("does not let a stale override through", () => {
    const override = { by: "ana", reason: "last week's outage", at: "2026-11-20T11:30:00Z" };
    const result = decideWindow(runbookWindow("UTC"), override, new Date("2026-11-28T12:00:00Z"), 24);
    expect(result.status).toBe("fail");
    expect(result.reason).toContain("the emergency override by ana is from 2026-11-20T11:30:00Z, 192.5 h ago, older than 24 h");
  });

  it("reads the weekday and time in the zone", () => {
    expect(localTime(new Date("2026-11-23T23:30:00Z"), "Europe/Berlin")).toEqual({ day: "tue", time: "00:30" });
    expect(localTime(new Date("2026-11-23T00:00:00Z"), "UTC")).toEqual({ day: "mon", time: "00:00" });
  });
});

describe("attestations", () => {
  const now = new Date("2026-11-26T10:00:00Z");
  it.each([
    ["missing", undefined, "unknown", "not configured"],
    ["fresh", { by: "ana", at: "2026-11-26T08:00:00Z" }, "pass", "attested by ana at 2026-11-26T08:00:00Z (2 h ago)"],
    ["exactly at the age", { by: "ana", at: "2026-11-25T10:00:00Z" }, "pass", "attested by ana at 2026-11-25T10:00:00Z (24 h ago)"],
    ["older than the age: counts as missing", { by: "ana", at: "2026-11-25T09:00:00Z" }, "unknown", "attested by ana, which is from 2026-11-25T09:00:00Z, 25 h ago, older than 24 h, so it counts as missing"],
    ["dated in the future", { by: "ana", at: "2026-11-27T10:00:00Z" }, "unknown", "attested by ana, which is dated 2026-11-27T10:00:00Z, in the future"],
  ])("%s", (_what, attestation, status, reason) => {
    const result = decideAttestation("on-call-named", attestation, now, 24);
    expect(result).toMatchObject({ item: "on-call-named", status, reason });
    if (status !== "pass") expect(result.fix).toContain("checklist.attestations.onCall.by");
  });
});

describe("rollback-target-known", () => {
  it.each([
    [{ name: "user-api", version: "v2.4.0", rollbackVersion: "v2.3.1" }, "pass", "user-api v2.4.0 rolls back to v2.3.1"],
    [{ name: "user-api", version: "v2.4.0" }, "fail", "user-api v2.4.0 has no version to roll back to"],
    [{ name: "user-api", version: "v2.4.0", rollbackVersion: "v2.4.0" }, "fail", "user-api's rollback target is v2.4.0, the version being deployed"],
    [{ name: "user-api", version: "v2.4.0", servedBefore: true }, "pass", "user-api v2.4.0 took traffic before this update; nothing new does, so there is nothing to roll back from"],
    [{ name: "user-api", version: "v2.5.0", servedBefore: false }, "fail", "user-api v2.5.0 has no version to roll back to"],
    [{ name: "user-api", version: "v2.4.0", firstDeployment: true }, "pass", "user-api v2.4.0 is deployed here for the first time; there is no earlier version to roll back to"],
  ])("%o: %s", (service, status, reason) => {
    expect(decideRollbackTarget(service)).toMatchObject({ item: "rollback-target-known", status, reason, source: "config safe-deploy:services.user-api" });
  });
});
