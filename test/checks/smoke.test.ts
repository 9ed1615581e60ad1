// `runSmoke` against real HTTP servers on loopback.
import { describe, expect, it } from "vitest";
import type { SmokeSpec } from "../../checks/check-round";
import { criticalRequestSchema } from "../../checks/critical-request";
import { runSmoke } from "../../checks/smoke";
import { freePort, healthyService, useLoopbackServers } from "./loopback-server";
import { expectWithinBound } from "../support/time-bound";

const serve = useLoopbackServers();

const spec = (baseUrl: string, more: Partial<SmokeSpec> = {}): SmokeSpec => ({
  baseUrl,
  expectedVersion: "v3.2.0",
  healthPath: "/health",
  versionPath: "/version",
  requests: [],
  requestTimeoutMs: 1000,
  ...more,
});

// Short waits between attempts keep the files fast; the rules are the same at any scale.
const quick = { firstDelayMs: 20, maxDelayMs: 100 };

describe("smoke", () => {
  it("passes a healthy server reporting the expected version at the first attempt", async () => {
    const server = await serve(healthyService("v3.2.0"));

    const outcome = await runSmoke(spec(server.url), { deadlineMs: 5000, ...quick });

    expect(outcome.ok).toBe(true);
    expect(outcome.attempts).toBe(1);
    expect(outcome.round.map((result) => [result.check, result.status])).toEqual([
      ["health", 200],
      ["version", 200],
    ]);
  });

  it("fails an unhealthy server, naming the health check and what came back", async () => {
    const server = await serve((request) =>
      request.path === "/health" ? { status: 503, body: { status: "starting", db: "unreachable" } } : { status: 200, body: { version: "v3.2.0" } },
    );

    const outcome = await runSmoke(spec(server.url), { deadlineMs: 1500, ...quick });

    expect(outcome.ok).toBe(false);
    const failed = outcome.round.at(-1);
    expect(failed).toMatchObject({ check: "health", ok: false, status: 503, why: "expected a 2xx status, got 503" });
    expect(failed?.bodyStart).toContain('"db":"unreachable"');
    // Retried while the target might come up: more than one attempt before the deadline.
    expect(outcome.attempts).toBeGreaterThan(1);
    expect(outcome.deadlineReached).toBe(true);
  });

  it("fails a 200 whose body says it is degraded", async () => {
    const server = await serve((request) =>
      request.path === "/health" ? { status: 200, body: { status: "degraded" } } : { status: 200, body: { version: "v3.2.0" } },
    );

    const outcome = await runSmoke(spec(server.url), { deadlineMs: 1500, ...quick });

    expect(outcome.ok).toBe(false);
    expect(outcome.round.at(-1)?.why).toBe('status is "degraded", not one of ok, healthy, up, pass, green');
  });

  it("fails a server reporting the wrong version, naming both versions", async () => {
    const server = await serve(healthyService("v3.1.0"));

    const outcome = await runSmoke(spec(server.url), { deadlineMs: 1500, ...quick });

    expect(outcome.ok).toBe(false);
    expect(outcome.round.at(-1)).toMatchObject({ check: "version", status: 200, why: "reports version 'v3.1.0', expected 'v3.2.0'" });
    expect(outcome.round.at(-1)?.bodyStart).toBe('{"version":"v3.1.0"}');
  });

  it("passes a server slow to start once it answers, after retries", async () => {
    // The first three health requests find it starting; requests, not the clock, decide.
    const healthy = healthyService("v3.2.0");
    let healthAsked = 0;
    const server = await serve((request, index) => {
      if (request.path === "/health" && ++healthAsked <= 3) return { status: 503, body: "starting" };
      return healthy(request, index);
    });
    const attempts: number[] = [];

    const outcome = await runSmoke(spec(server.url), { deadlineMs: 10_000, ...quick, onFailedAttempt: (attempt) => attempts.push(attempt) });

    expect(outcome.ok).toBe(true);
    expect(outcome.attempts).toBe(4);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it("fails a server that never starts at the deadline, saying the connection was refused", async () => {
    const port = await freePort();
    const deadlineMs = 1500;

    const outcome = await runSmoke(spec(`http://127.0.0.1:${port}`), { deadlineMs, ...quick });

    expect(outcome.ok).toBe(false);
    expect(outcome.deadlineReached).toBe(true);
    expect(outcome.round.at(-1)).toMatchObject({ check: "health", status: undefined, why: "connection refused (ECONNREFUSED)" });
    // The bound: the deadline, plus at most one request's set-up (generous for a loaded machine).
    expectWithinBound(outcome.elapsedMs, deadlineMs, { waitedForIt: true });
  });

  it("fails a server that accepts but never answers, within the deadline, not at the request timeout", async () => {
    const server = await serve(() => ({ status: 200, hang: true }));
    const deadlineMs = 800;

    const outcome = await runSmoke(spec(server.url, { requestTimeoutMs: 60_000 }), { deadlineMs, ...quick });

    expect(outcome.ok).toBe(false);
    // The cause, from the round that waited for the target: never the bookkeeping of a round
    // that p-retry started as the deadline passed, and never a last sliver of a wait.
    const why = outcome.round.at(-1)?.why ?? "";
    expect(why).toMatch(/^no response within \d+ ms$/);
    expect(Number(/\d+/.exec(why)?.[0])).toBeGreaterThanOrEqual(deadlineMs / 2);
    // The deadline ended it, not the 60 s request timeout.
    expect(outcome.deadlineReached).toBe(true);
    expectWithinBound(outcome.elapsedMs, deadlineMs, { waitedForIt: true });
  });

  it("sends each critical request as configured and passes when status and JSON fields match", async () => {
    const healthy = healthyService("v3.2.0");
    const server = await serve((request, index) =>
      request.path === "/payments" ? { status: 201, body: { payment: { status: "approved", amount: 100 } } } : healthy(request, index),
    );
    const payment = criticalRequestSchema.parse({
      name: "test payment",
      method: "POST",
      path: "/payments",
      headers: { "x-smoke-test": "true" },
      body: { amount: 100, currency: "EUR" },
      expectStatus: 201,
      expectJson: { "payment.status": "approved", "payment.amount": 100 },
    });

    const outcome = await runSmoke(spec(server.url, { requests: [payment] }), { deadlineMs: 5000, ...quick });

    expect(outcome.ok).toBe(true);
    expect(outcome.round.at(-1)).toMatchObject({ check: "critical request 'test payment'", ok: true, status: 201 });
    const sent = server.received.find((request) => request.path === "/payments");
    expect(sent).toMatchObject({ method: "POST", body: '{"amount":100,"currency":"EUR"}' });
    expect(sent?.headers["x-smoke-test"]).toBe("true");
    expect(sent?.headers["content-type"]).toBe("application/json");
  });

  it("fails a critical request whose JSON field differs, naming the request and the field", async () => {
    const healthy = healthyService("v3.2.0");
    const server = await serve((request, index) =>
      request.path === "/payments" ? { status: 201, body: { payment: { status: "declined" } } } : healthy(request, index),
    );
    const payment = criticalRequestSchema.parse({
      name: "test payment",
      method: "POST",
      path: "/payments",
      expectStatus: 201,
      expectJson: { "payment.status": "approved" },
    });

    const outcome = await runSmoke(spec(server.url, { requests: [payment] }), { deadlineMs: 1500, ...quick });

    expect(outcome.ok).toBe(false);
    expect(outcome.round.at(-1)).toMatchObject({
      check: "critical request 'test payment'",
      status: 201,
      why: 'payment.status is "declined", expected "approved"',
    });
  });

  it("fails a critical request answered with another status", async () => {
    const healthy = healthyService("v3.2.0");
    const server = await serve((request, index) => (request.path === "/payments" ? { status: 500, body: "db down" } : healthy(request, index)));
    const payment = criticalRequestSchema.parse({ name: "test payment", method: "POST", path: "/payments", expectStatus: 201 });

    const outcome = await runSmoke(spec(server.url, { requests: [payment] }), { deadlineMs: 1500, ...quick });

    expect(outcome.round.at(-1)).toMatchObject({ status: 500, why: "expected status 201, got 500", bodyStart: "db down" });
  });
});
