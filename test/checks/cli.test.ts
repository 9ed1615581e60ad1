// The checker as a user runs it: the bin script in a child process, its exit codes, what it
// prints, and what a webhook receiver on loopback got, with no secret anywhere in them.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { healthyService, useLoopbackServers } from "./loopback-server";

const BIN = resolve(__dirname, "../../checks/bin/safe-deploy-check.cjs");

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the bin with only the environment given (plus PATH), bounded so a hang fails the test. */
function check(args: readonly string[], env: Record<string, string> = {}, stdin?: string): Promise<Run> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? "", ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
      done({ code, stdout, stderr });
    });
    child.stdin?.end(stdin ?? "");
  });
}

const serve = useLoopbackServers();

const dir = mkdtempSync(join(tmpdir(), "safe-deploy-check-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("safe-deploy-check smoke and verify", () => {
  it("reads critical requests on stdin and fills ${NAME} from the environment, never printing the value", async () => {
    const token = "tok-5f1e2d3c4b5a";
    const healthy = healthyService("v3.2.0");
    // A server that echoes the credential back in a failing answer: the report quotes the body.
    const server = await serve((request, index) =>
      request.path === "/payments" ? { status: 500, body: `denied ${String(request.headers.authorization)}` } : healthy(request, index),
    );
    const requests = JSON.stringify([{ name: "pay", method: "POST", path: "/payments", headers: { authorization: "Bearer ${PAYMENT_TOKEN}" }, expectStatus: 201 }]);

    const run = await check(["smoke", "--url", server.url, "--expect-version", "v3.2.0", "--deadline", "1", "--requests", "-"], { PAYMENT_TOKEN: token }, requests);

    expect(run.code).toBe(1);
    expect(server.received.find((r) => r.path === "/payments")?.headers.authorization).toBe(`Bearer ${token}`);
    expect(run.stdout).toContain('body starts: "denied Bearer [redacted]"');
    expect(run.stdout + run.stderr).not.toContain(token);
  });

  it("refuses a request that refers to an unset variable, naming it", async () => {
    const server = await serve(healthyService("v3.2.0"));
    const requests = JSON.stringify([{ name: "pay", path: "/payments", headers: { authorization: "Bearer ${PAYMENT_TOKEN}" } }]);

    const run = await check(["smoke", "--url", server.url, "--expect-version", "v3.2.0", "--requests", "-"], {}, requests);

    expect(run.code).toBe(64);
    expect(run.stderr).toContain("${PAYMENT_TOKEN} is used by a critical request but the environment variable PAYMENT_TOKEN is not set");
  });

  it("exits 0 on a healthy target, printing each check", async () => {
    const server = await serve(healthyService("v3.2.0"));

    const run = await check(["smoke", "--url", server.url, "--expect-version", "v3.2.0", "--deadline", "10"]);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ok   health: GET http:\/\/127\.0\.0\.1:\d+\/health -> status 200 in \d+ ms$/m);
    expect(run.stdout).toMatch(/^smoke: PASS \(1 attempt, \d+ ms\)$/m);
  });

  it("exits 1 on a wrong version, naming the check, the status, the body and the time", async () => {
    const server = await serve(healthyService("v3.1.0"));

    const run = await check(["smoke", "--url", server.url, "--expect-version", "v3.2.0", "--deadline", "1"]);

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL version: GET http:\/\/127\.0\.0\.1:\d+\/version -> status 200 in \d+ ms$/m);
    expect(run.stdout).toContain("     reports version 'v3.1.0', expected 'v3.2.0'\n");
    expect(run.stdout).toContain('     body starts: "{\\"version\\":\\"v3.1.0\\"}"\n');
    expect(run.stdout).toMatch(/^smoke: FAIL: version \(deadline of 1000 ms reached after \d+ attempts, \d+ ms\)$/m);
  });

  it("reads critical requests from a file and exits 1 when one fails", async () => {
    const healthy = healthyService("v3.2.0");
    const server = await serve((request, index) => (request.path === "/payments" ? { status: 402, body: { error: "card declined" } } : healthy(request, index)));
    const requests = join(dir, "requests.json");
    writeFileSync(requests, JSON.stringify([{ name: "test payment", method: "POST", path: "/payments", body: { amount: 1 }, expectStatus: 201 }]));

    const run = await check(["smoke", "--url", server.url, "--expect-version", "v3.2.0", "--requests", requests, "--deadline", "1"]);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain("FAIL critical request 'test payment': POST");
    expect(run.stdout).toContain("expected status 201, got 402");
  });

  it("verify exits 1 when the server goes bad within the window, naming the round", async () => {
    let healthAsked = 0;
    const healthy = healthyService("v3.2.0");
    const server = await serve((request, index) =>
      request.path === "/health" && ++healthAsked > 2 ? { status: 500, body: "boom" } : healthy(request, index),
    );

    const run = await check(["verify", "--url", server.url, "--expect-version", "v3.2.0", "--every", "0.02", "--for", "0.2"]);

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^round 2: ok$/m);
    expect(run.stdout).toMatch(/^verify: FAIL: health in round 3; 1 of 3 rounds failed \(budget 0; 10 planned; \d+ ms\)$/m);
  });

  it.each([
    [["smoke", "--expect-version", "v1"], "safe-deploy-check smoke: --url is required"],
    [["smoke", "--url", "ftp://x", "--expect-version", "v1"], "safe-deploy-check smoke: --url must be http or https (got 'ftp:')"],
    [["verify", "--url", "http://127.0.0.1:9", "--expect-version", "v1", "--every", "0"], "safe-deploy-check verify: --every must be a number of seconds above 0 (got '0')"],
    [["deploy"], "safe-deploy-check: unknown subcommand 'deploy'"],
    [["verify", "--url", "http://127.0.0.1:9", "--expect-version", "v1", "--expect-pods", "version=green"], "--expect-pods needs --service"],
    [["verify", "--url", "http://127.0.0.1:9", "--expect-version", "v1", "--service", "s", "--expect-pods", "green"], "--expect-pods must be labels such as version=green"],
  ])("exits 64 on a usage error: %j", async (args, message) => {
    const run = await check(args);

    expect(run.code).toBe(64);
    expect(run.stderr).toContain(message);
  });

  it("exits 64 when --context names a context the kubeconfig does not have, naming those it has", async () => {
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(
      kubeconfig,
      ["apiVersion: v1", "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:9'}}]", "users: [{name: u, user: {token: t}}]", "contexts: [{name: x, context: {cluster: c, user: u}}]", "current-context: x"].join("\n"),
    );

    const run = await check(["verify", "--url", "http://127.0.0.1:9", "--expect-version", "v1", "--service", "s", "--expect-pods", "version=green", "--kubeconfig", kubeconfig, "--context", "production"]);

    expect(run.code).toBe(64);
    expect(run.stderr).toContain(`safe-deploy-check verify: cannot load a kubeconfig from '${kubeconfig}': the kubeconfig has no context 'production' (it has 'x')`);
  });

  it("reads kubernetes:kubeconfig's contents from $SAFE_DEPLOY_KUBECONFIG, never printing them", async () => {
    const token = "tok-kubeconfig-3c9a";
    const contents = ["apiVersion: v1", "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:9'}}]", `users: [{name: u, user: {token: ${token}}}]`, "contexts: [{name: x, context: {cluster: c, user: u}}]", "current-context: x"].join("\n");

    const run = await check(["verify", "--url", "http://127.0.0.1:9", "--expect-version", "v1", "--service", "s", "--expect-pods", "version=green", "--context", "production"], { SAFE_DEPLOY_KUBECONFIG: contents });

    expect(run.code).toBe(64);
    expect(run.stderr).toContain("safe-deploy-check verify: cannot load a kubeconfig from $SAFE_DEPLOY_KUBECONFIG: the kubeconfig has no context 'production' (it has 'x')");
    expect(run.stdout + run.stderr).not.toContain(token);
  });
});

describe("safe-deploy-check notify", () => {
  const hookPath = "/services/T0001/B0002/s3cretHookKey";
  const token = "tok-9f8e7d6c";
  const notifyArgs = ["notify", "--event", "start", "--service", "payment-service", "--version", "v3.2.0", "--environment", "production", "--who", "alice"];

  /** No secret in what was printed or what was posted; the token only in its header. */
  function expectNoSecret(texts: readonly string[]): void {
    for (const text of texts) {
      expect(text).not.toContain(hookPath);
      expect(text).not.toContain("s3cretHookKey");
      expect(text).not.toContain(token);
    }
  }

  it("posts the runbook's words to the webhook from the environment, with the bearer token, and prints no secret", async () => {
    const receiver = await serve(() => ({ status: 200, body: "ok" }));

    const run = await check([...notifyArgs, "--rollback-command", "kubectl patch service payment-service -n production -p '{\"spec\":{\"selector\":{\"version\":\"blue\"}}}'"], {
      SAFE_DEPLOY_WEBHOOK_URL: `${receiver.url}${hookPath}`,
      SAFE_DEPLOY_WEBHOOK_TOKEN: token,
    });

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^notify: sent 'Starting production deployment of payment-service v3\.2\.0' \(status 200, \d+ ms\)$/m);
    expect(receiver.received).toHaveLength(1);
    const posted = receiver.received[0];
    expect(posted?.path).toBe(hookPath);
    expect(posted?.headers.authorization).toBe(`Bearer ${token}`);
    const payload = JSON.parse(posted?.body ?? "{}") as { text: string };
    expect(payload.text.split("\n")[0]).toBe("Starting production deployment of payment-service v3.2.0");
    expect(payload.text).toContain("By: alice");
    expect(payload.text).toContain("Rollback: `kubectl patch service payment-service");
    expectNoSecret([run.stdout, run.stderr, posted?.body ?? ""]);
  });

  it("reads the webhook and token from files, for secrets mounted or passed by Pulumi", async () => {
    const receiver = await serve(() => ({ status: 200, body: "ok" }));
    writeFileSync(join(dir, "url"), `${receiver.url}${hookPath}\n`);
    writeFileSync(join(dir, "token"), `${token}\n`);

    const run = await check(notifyArgs, { SAFE_DEPLOY_WEBHOOK_URL_FILE: join(dir, "url"), SAFE_DEPLOY_WEBHOOK_TOKEN_FILE: join(dir, "token") });

    expect(run.code).toBe(0);
    expect(receiver.received[0]?.headers.authorization).toBe(`Bearer ${token}`);
    expectNoSecret([run.stdout, run.stderr]);
  });

  it("exits 1 when the receiver refuses, with its answer and no secret, even when the answer echoes them", async () => {
    const receiver = await serve((request) => ({ status: 403, body: `invalid_token for ${request.path} ${String(request.headers.authorization)}` }));

    const run = await check(notifyArgs, { SAFE_DEPLOY_WEBHOOK_URL: `${receiver.url}${hookPath}`, SAFE_DEPLOY_WEBHOOK_TOKEN: token });

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^notify: FAIL: 'Starting production deployment of payment-service v3\.2\.0' not delivered: webhook answered 403: invalid_token for \[redacted\] Bearer \[redacted\] \(\d+ ms\)$/m);
    expectNoSecret([run.stdout, run.stderr]);
  });

  it("exits 1 within its timeout when the receiver never answers", async () => {
    const receiver = await serve(() => ({ status: 200, hang: true }));

    const run = await check([...notifyArgs, "--timeout", "0.3"], { SAFE_DEPLOY_WEBHOOK_URL: `${receiver.url}${hookPath}` });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain("not delivered: webhook: no response within 300 ms");
    expectNoSecret([run.stdout, run.stderr]);
  });

  it("exits 64 without a webhook in the environment, sending nothing", async () => {
    const run = await check(notifyArgs);

    expect(run.code).toBe(64);
    expect(run.stderr).toContain("no webhook: set SAFE_DEPLOY_WEBHOOK_URL or SAFE_DEPLOY_WEBHOOK_URL_FILE (never a flag, so it stays out of argv)");
  });

  it("never takes a webhook from argv, and does not repeat it", async () => {
    const run = await check([...notifyArgs, `http://127.0.0.1:9${hookPath}`]);

    expect(run.code).toBe(64);
    expect(run.stderr).toContain("unexpected argument (not shown)");
    expectNoSecret([run.stdout, run.stderr]);
  });

  it("refuses a --webhook flag without repeating its value", async () => {
    const run = await check([...notifyArgs, `--webhook-url=http://127.0.0.1:9${hookPath}`]);

    expect(run.code).toBe(64);
    expect(run.stderr).toContain("unknown flag --webhook-url");
    expectNoSecret([run.stdout, run.stderr]);
  });

  it("sends nothing when a flag's value carries the token", async () => {
    const receiver = await serve(() => ({ status: 200, body: "ok" }));

    const run = await check([...notifyArgs, "--reason", `curl -H 'Authorization: Bearer ${token}'`], {
      SAFE_DEPLOY_WEBHOOK_URL: `${receiver.url}${hookPath}`,
      SAFE_DEPLOY_WEBHOOK_TOKEN: token,
    });

    expect(run.code).toBe(64);
    expect(receiver.received).toHaveLength(0);
    expect(run.stderr).toContain("a flag's value contains the webhook URL or token; nothing was sent");
  });
});
