// `runVerify` against real HTTP servers on loopback: rounds counted by requests, never by the clock.
import { describe, expect, it } from "vitest";
import type { SmokeSpec } from "../../checks/check-round";
import { runVerify } from "../../checks/verify";
import { healthyService, useLoopbackServers, type Handler } from "./loopback-server";

const serve = useLoopbackServers();

const spec = (baseUrl: string): SmokeSpec => ({
  baseUrl,
  expectedVersion: "v3.2.0",
  healthPath: "/health",
  versionPath: "/version",
  requests: [],
  requestTimeoutMs: 1000,
});

/** Healthy for the first `goodRounds` health requests, then answering 500 (a round asks health once). */
function goesBadAfter(goodRounds: number, badRounds = Number.POSITIVE_INFINITY): Handler {
  const healthy = healthyService("v3.2.0");
  let healthAsked = 0;
  return (request, index) => {
    if (request.path !== "/health") return healthy(request, index);
    healthAsked += 1;
    const bad = healthAsked > goodRounds && healthAsked <= goodRounds + badRounds;
    return bad ? { status: 500, body: { status: "error", error: "connection pool exhausted" } } : healthy(request, index);
  };
}

// Ten rounds 20 ms apart: a short window, the same rules as every 10 s for 5 minutes.
const window = { everyMs: 20, windowMs: 200 };

describe("verify", () => {
  it("passes a server that stays healthy for every planned round", async () => {
    const server = await serve(healthyService("v3.2.0"));

    const outcome = await runVerify(spec(server.url), { ...window, errorBudget: 0 });

    expect(outcome).toMatchObject({ ok: true, roundsPlanned: 10, roundsRun: 10, failedRounds: [] });
    expect(server.received.filter((request) => request.path === "/health")).toHaveLength(10);
  });

  it("catches a server that goes bad halfway through its window, in the round it went bad", async () => {
    const server = await serve(goesBadAfter(5));

    const outcome = await runVerify(spec(server.url), { ...window, errorBudget: 0 });

    expect(outcome.ok).toBe(false);
    expect(outcome.failedRounds).toHaveLength(1);
    expect(outcome.failedRounds[0]?.index).toBe(6);
    expect(outcome.failedRounds[0]?.failed).toMatchObject({ check: "health", status: 500 });
    expect(outcome.failedRounds[0]?.failed.bodyStart).toContain("connection pool exhausted");
    // It stops once the budget is spent rather than waiting out the window.
    expect(outcome.roundsRun).toBe(6);
  });

  it("tolerates failed rounds within the error budget", async () => {
    const server = await serve(goesBadAfter(3, 1));

    const outcome = await runVerify(spec(server.url), { ...window, errorBudget: 1 });

    expect(outcome).toMatchObject({ ok: true, roundsRun: 10 });
    expect(outcome.failedRounds.map((round) => round.index)).toEqual([4]);
  });

  it("fails once the failed rounds exceed the error budget", async () => {
    const server = await serve(goesBadAfter(3));

    const outcome = await runVerify(spec(server.url), { ...window, errorBudget: 2 });

    expect(outcome.ok).toBe(false);
    expect(outcome.failedRounds.map((round) => round.index)).toEqual([4, 5, 6]);
    expect(outcome.roundsRun).toBe(6);
  });

  it("fails a server that switched to the wrong version halfway", async () => {
    let versionAsked = 0;
    const healthy = healthyService("v3.2.0");
    const server = await serve((request, index) =>
      request.path === "/version" && ++versionAsked > 4 ? { status: 200, body: { version: "v3.1.0" } } : healthy(request, index),
    );

    const outcome = await runVerify(spec(server.url), { ...window, errorBudget: 0 });

    expect(outcome.ok).toBe(false);
    expect(outcome.failedRounds[0]).toMatchObject({ index: 5, failed: { check: "version", why: "reports version 'v3.1.0', expected 'v3.2.0'" } });
  });
});
