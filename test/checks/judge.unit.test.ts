// The rules that decide each check, over tables of answers: no server needed.
import { describe, expect, it } from "vitest";
import { criticalRequestSchema } from "../../checks/critical-request";
import type { ProbeResponse } from "../../checks/http-probe";
import { fieldAt, judgeCritical, judgeHealth, judgeVersion, reportedVersion } from "../../checks/judge";

const answer = (status: number, body: unknown): ProbeResponse => ({
  kind: "response",
  status,
  body: typeof body === "string" ? body : JSON.stringify(body),
  elapsedMs: 1,
});

describe("judgeHealth", () => {
  it.each([
    [200, { status: "ok" }],
    [200, { status: "Healthy" }],
    [204, ""],
    [200, "OK"],
    [200, { checks: { db: "ok" } }],
  ])("passes %i with %j", (status, body) => {
    expect(judgeHealth(answer(status, body))).toEqual({ ok: true });
  });

  it.each([
    [503, { status: "ok" }, "expected a 2xx status, got 503"],
    [301, "", "expected a 2xx status, got 301"],
    [200, { status: "degraded" }, 'status is "degraded", not one of ok, healthy, up, pass, green'],
    [200, { status: false }, "status is false, not one of ok, healthy, up, pass, green"],
  ])("fails %i with %j", (status, body, why) => {
    expect(judgeHealth(answer(status, body))).toEqual({ ok: false, why });
  });
});

describe("judgeVersion", () => {
  it.each([
    ['{"version":"v3.2.0"}', "v3.2.0"],
    ["v3.2.0\n", "v3.2.0"],
    ['{"name":"x"}', undefined],
    ["", undefined],
    ["<html>\n<body>", undefined],
  ])("reads the version of %j as %j", (body, version) => {
    expect(reportedVersion(body)).toBe(version);
  });

  it("passes exactly the expected version", () => {
    expect(judgeVersion(answer(200, { version: "v3.2.0" }), "v3.2.0")).toEqual({ ok: true });
  });

  it("fails a version without its v, since the tag is what was deployed", () => {
    expect(judgeVersion(answer(200, { version: "3.2.0" }), "v3.2.0")).toEqual({ ok: false, why: "reports version '3.2.0', expected 'v3.2.0'" });
  });

  it("fails a body with no version, saying what it expected", () => {
    expect(judgeVersion(answer(200, { build: 7 }), "v3.2.0")).toEqual({
      ok: false,
      why: 'no version in the body (expected {"version": "v3.2.0"} or the bare version)',
    });
  });
});

describe("judgeCritical", () => {
  const request = criticalRequestSchema.parse({
    name: "order",
    path: "/orders",
    expectStatus: 201,
    expectJson: { "order.state": "created", "items.0.sku": "A-1", total: { amount: 5, currency: "EUR" } },
  });
  const good = { order: { state: "created" }, items: [{ sku: "A-1" }], total: { amount: 5, currency: "EUR" } };

  it("passes when the status and every field match, objects compared whole", () => {
    expect(judgeCritical(answer(201, good), request)).toEqual({ ok: true });
  });

  it("fails another status before looking at the body", () => {
    expect(judgeCritical(answer(200, good), request)).toEqual({ ok: false, why: "expected status 201, got 200" });
  });

  it("names every field that differs or is missing", () => {
    const bad = { order: { state: "failed" }, items: [], total: { amount: 5, currency: "EUR" } };
    expect(judgeCritical(answer(201, bad), request)).toEqual({
      ok: false,
      why: 'order.state is "failed", expected "created"; items.0.sku is missing, expected "A-1"',
    });
  });

  it("fails a body that is not JSON when fields are expected", () => {
    expect(judgeCritical(answer(201, "created"), request)).toEqual({ ok: false, why: "expected a JSON body" });
  });

  it("reads dotted paths through objects and arrays, and nothing from the prototype", () => {
    expect(fieldAt({ a: [{ b: 1 }] }, "a.0.b")).toBe(1);
    expect(fieldAt({ a: {} }, "a.toString")).toBeUndefined();
  });
});
