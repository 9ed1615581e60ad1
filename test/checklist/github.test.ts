// ci-passed against a loopback HTTP server that speaks GitHub's check-runs
// and combined-status endpoints: success, failure, pending, 401, 500, and a
// server that never answers (unknown within the bound). The token goes in the
// Authorization header and nowhere else.
import { describe, expect, it } from "vitest";
import { checklistSchema } from "../../config/checklist";
import { gatherChecklist } from "../../checklist/gather";
import { useLoopbackServers, type Handler, type Reply } from "../checks/loopback-server";
import { useTempRepos } from "./support/git-repos";
import { expectWithinBound } from "../support/time-bound";

const startServer = useLoopbackServers();
const newRepo = useTempRepos();
const TOKEN = "ghp_checklistTestToken0123456789";

const checkRuns = (...runs: [string, string, string | null][]) => ({
  total_count: runs.length,
  check_runs: runs.map(([name, status, conclusion], id) => ({ id, name, status, conclusion })),
});
const combined = (...statuses: [string, string][]) => ({
  state: statuses.some(([, s]) => s === "failure") ? "failure" : "success",
  total_count: statuses.length,
  statuses: statuses.map(([context, state]) => ({ context, state })),
});

/** GitHub's two endpoints for one commit of shop/app; anything else is 404. */
function github(commit: string, runs: Reply, statuses: Reply): Handler {
  return (request) => {
    const path = request.path.split("?")[0];
    if (path === `/repos/shop/app/commits/${commit}/check-runs`) return runs;
    if (path === `/repos/shop/app/commits/${commit}/status`) return statuses;
    return { status: 404, body: { message: "Not Found" } };
  };
}

async function ciItem(handler: (commit: string) => Handler, options: { token?: string; boundMs?: number; env?: Record<string, string> } = {}) {
  const repo = newRepo();
  const commit = repo.git("rev-parse", "HEAD");
  const server = await startServer(handler(commit));
  const config = checklistSchema.parse({ git: {}, github: { owner: "shop", repo: "app", baseUrl: server.url, ...(options.token === undefined ? {} : { token: options.token }) } });
  const started = performance.now();
  const checklist = await gatherChecklist(config, { namespace: "production", services: [] }, { projectDir: repo.dir, env: options.env ?? {}, deployedBy: "test", ...(options.boundMs === undefined ? {} : { boundMs: options.boundMs }) });
  const elapsedMs = performance.now() - started;
  const item = checklist.release.find((r) => r.item === "ci-passed");
  if (item === undefined) throw new Error("no ci-passed");
  return { item, server, commit, elapsedMs, checklist };
}

describe("GitHub source", () => {
  it("passes when every check run and status of the commit succeeded, sending the token", async () => {
    const { item, server, commit } = await ciItem((c) => github(c, { status: 200, body: checkRuns(["build", "completed", "success"], ["lint", "completed", "neutral"]) }, { status: 200, body: combined(["ci/jenkins", "success"]) }), { token: TOKEN });
    expect(item).toMatchObject({ status: "pass", reason: `CI passed for ${commit.slice(0, 12)}: 2 check run(s) and 1 status(es), none failed`, source: `GitHub ${server.url} (shop/app)` });
    expect(server.received.map((r) => r.headers["authorization"])).toEqual([`token ${TOKEN}`, `token ${TOKEN}`]);
    expect(JSON.stringify(item)).not.toContain(TOKEN);
  });

  it("takes GITHUB_TOKEN when the config has no token", async () => {
    const { item, server } = await ciItem((c) => github(c, { status: 200, body: checkRuns(["build", "completed", "success"]) }, { status: 200, body: combined() }), { env: { GITHUB_TOKEN: TOKEN } });
    expect(item.status).toBe("pass");
    expect(server.received[0]?.headers["authorization"]).toBe(`token ${TOKEN}`);
  });

  it("fails when a check run failed, naming it", async () => {
    const { item } = await ciItem((c) => github(c, { status: 200, body: checkRuns(["build", "completed", "success"], ["e2e", "completed", "failure"]) }, { status: 200, body: combined() }));
    expect(item.status).toBe("fail");
    expect(item.reason).toContain("e2e (failure)");
  });

  it("fails while CI is pending", async () => {
    const { item } = await ciItem((c) => github(c, { status: 200, body: checkRuns(["build", "in_progress", null]) }, { status: 200, body: combined(["ci/jenkins", "pending"]) }));
    expect(item.status).toBe("fail");
    expect(item.reason).toContain("CI has not finished");
    expect(item.reason).toContain("build (in_progress), ci/jenkins (pending)");
  });

  it("is unknown on 401, saying the token was refused, and never shows it", async () => {
    const { item } = await ciItem((c) => github(c, { status: 401, body: { message: "Bad credentials" } }, { status: 401, body: { message: "Bad credentials" } }), { token: TOKEN });
    expect(item).toMatchObject({ status: "unknown", reason: "GitHub answered 401 Unauthorized: the token (checklist.github.token or GITHUB_TOKEN) is wrong or expired" });
    expect(JSON.stringify(item)).not.toContain(TOKEN);
  });

  it("is unknown on 500", async () => {
    const { item } = await ciItem((c) => github(c, { status: 200, body: checkRuns() }, { status: 500, body: { message: "boom" } }));
    expect(item).toMatchObject({ status: "unknown", reason: "GitHub answered 500" });
  });

  it("is unknown within its bound when GitHub does not answer", async () => {
    const { item, elapsedMs } = await ciItem((c) => github(c, { status: 200, hang: true }, { status: 200, hang: true }), { boundMs: 700 });
    expect(item).toMatchObject({ status: "unknown", reason: "timed out after 0.7 s" });
    expectWithinBound(elapsedMs, 700, { waitedForIt: true });
  });
});
