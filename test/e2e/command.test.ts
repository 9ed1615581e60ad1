// The `safe-deploy` command as an operator types it, in the project's
// directory, without a terminal: the real engine, the policy pack attached by
// the command itself, the local cluster. Its exit codes and its --json.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deploymentImage, deploymentsSettled, endpointPods, engineFor, startE2e, stopE2e, toolchain, UP_TIMEOUT_MS, type E2eContext } from "./support";
import type { EngineStack } from "../../tools/rehearsal/engine";
import { runSafeDeploy, type CommandRun } from "../../tools/rehearsal/safe-deploy-command";
import { toolchainBin } from "../../tools/toolchain/paths";
import { startFakeGithub } from "../support/fake-github";

const execFileAsync = promisify(execFile);

/** `safe-deploy ARGS` in the stack's project directory, with its environment, no terminal. */
const safeDeploy = (engine: EngineStack, ...args: string[]): Promise<CommandRun> => runSafeDeploy(engine, args);

const json = <T>(ran: CommandRun): T => JSON.parse(ran.stdout) as T;

describe.skipIf(!toolchain.ok)("safe-deploy, the operator's command, on a real engine and cluster", () => {
  let context: E2eContext | undefined;
  let engine: EngineStack;
  beforeAll(async () => {
    context = await startE2e("command");
    engine = await engineFor(context, "production");
  }, 120_000);
  afterAll(() => stopE2e(context), 60_000);

  it(
    "updates production with the pack attached, then previews no change",
    async () => {
      const up = await safeDeploy(engine, "up", "--stack", "production", "--json");
      expect(up.code, up.stderr).toBe(0);
      const run = json<{ outcome: string; changes: Record<string, number>; policy: { level: string }[]; checklist?: { known: boolean; value?: { services: { name: string }[] } } }>(up);
      expect(run.outcome).toBe("succeeded");
      expect(run.changes["create"]).toBeGreaterThan(10);
      expect(run.policy.filter((finding) => finding.level === "mandatory")).toEqual([]);
      // Progress on stderr while it ran, one line per step.
      expect(up.stderr).toContain("updating stack production with the policy pack (policy/config/production.json)");
      expect(up.stderr).toMatch(/done create kubernetes:apps\/v1:Deployment user-api-workload-deployment \([0-9]+ s\)/);
      expect(await deploymentsSettled(context!.kc, "production")).toMatchObject({ "user-api": "5/5 available, 5 updated" });
      // The checklist the update was judged by, per service it judged.
      expect(run.checklist?.known).toBe(true);
      expect(run.checklist?.value?.services.map((service) => service.name).sort()).toEqual(["payment-service", "recommendation-engine", "user-api"]);

      const preview = await safeDeploy(engine, "preview", "--stack", "production");
      expect(preview.code, preview.stderr).toBe(0);
      expect(preview.stdout).toMatch(/^preview of stack production \(production\): succeeded in [0-9.]+ s, no changes$/m);
    },
    UP_TIMEOUT_MS * 2,
  );

  it(
    "refuses what the pack makes mandatory with exit 2, naming the policy, and changes nothing",
    async () => {
      await engine.cli(["config", "set", "--path", "safe-deploy:services.user-api.replicas", "1"]);
      const refused = await safeDeploy(engine, "up", "--stack", "production");
      await engine.cli(["config", "set", "--path", "safe-deploy:services.user-api.replicas", "5"]);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stdout).toMatch(/^up of stack production \(production\): refused/m);
      expect(refused.stdout).toContain("policy enforce-minimum-replicas (mandatory)");
      expect(await deploymentsSettled(context!.kc, "production")).toMatchObject({ "user-api": "5/5 available, 5 updated" });
    },
    UP_TIMEOUT_MS,
  );

  it(
    "tells each service's state and its way back, and that the cluster matches the stack",
    async () => {
      const ran = await safeDeploy(engine, "status", "--stack", "production", "--json");
      expect(ran.code, ran.stderr).toBe(0);
      const status = json<{
        services: { known: boolean; value: { name: string; live: string; rollbackTarget: string | null; quickRollback: string | null; served: string[] }[] };
        pendingOperations: { known: boolean; value?: string[] };
        drift: { known: boolean; value?: { changed: number; objects: unknown[] }; reason?: string };
      }>(ran);
      expect(status.services.known).toBe(true);
      const payment = status.services.value.find((s) => s.name === "payment-service");
      expect(payment).toMatchObject({ live: "slot green v3.2.0 on 4 pods; standby blue v3.1.0 on 4 pods", rollbackTarget: "slot blue (v3.1.0)", served: ["v3.1.0", "v3.2.0"] });
      expect(payment?.quickRollback).toContain("kubectl patch service payment-service -n production");
      expect(status.pendingOperations).toEqual({ known: true, value: [] });
      expect(status.drift.known, status.drift.reason).toBe(true);
      expect(status.drift.value?.changed, JSON.stringify(status.drift.value?.objects)).toBe(0);

      // A hand-made change is drift: user-api scaled by kubectl, then back.
      const scale = (replicas: number) => execFileAsync(toolchainBin("kubectl"), ["scale", "deployment", "user-api", "-n", "production", `--replicas=${replicas}`], { env: { ...process.env, ...engine.env } });
      await scale(3);
      const drifted = await safeDeploy(engine, "status", "--stack", "production");
      await scale(5);
      expect(drifted.code, drifted.stderr).toBe(0);
      expect(drifted.stdout).toContain("cluster: differs from the stack: kubernetes:apps/v1:Deployment user-api-workload-deployment (update)");
    },
    UP_TIMEOUT_MS,
  );

  it(
    "lists every version a service ran, a rollback to an earlier one told apart from a release",
    async () => {
      // v2.4.0 ran first; deploy v2.3.1 (new here: a release), then v2.4.0 again (served before: a rollback).
      await engine.cli(["config", "set-all", "--path", "--plaintext", "safe-deploy:services.user-api.version=v2.3.1", "--plaintext", "safe-deploy:services.user-api.previousVersion=v2.4.0"]);
      const release = await safeDeploy(engine, "up", "--stack", "production");
      expect(release.code).toBe(0);
      // The checklist the release was judged by, readably: only the service it changed, the rehearsal's waivers said so.
      expect(release.stdout).toMatch(/^  checklist gathered at \S+: (every item passed|not passed: .*)$/m);
      expect(release.stdout).toMatch(/^    user-api v2\.3\.1: not passed: artifacts-present unknown \(waived by safe-deploy rehearsal\)/m);
      expect(release.stdout).not.toMatch(/^    payment-service /m);
      await engine.cli(["config", "set-all", "--path", "--plaintext", "safe-deploy:services.user-api.version=v2.4.0", "--plaintext", "safe-deploy:services.user-api.previousVersion=v2.3.1"]);
      expect((await safeDeploy(engine, "up", "--stack", "production")).code).toBe(0);

      const ran = await safeDeploy(engine, "history", "user-api", "--stack", "production", "--json");
      expect(ran.code, ran.stderr).toBe(0);
      const rows = json<{ updates: { update: number; kind: string; result: string; version: string | null; change: string }[] }>(ran).updates.filter((row) => row.kind === "update");
      expect(rows.map((row) => [row.update, row.version, row.change, row.result])).toEqual([
        [3, "v2.4.0", "rollback", "succeeded"],
        [2, "v2.3.1", "release", "succeeded"],
        [1, "v2.4.0", "release", "succeeded"],
      ]);
      const text = await safeDeploy(engine, "history", "user-api", "--stack", "production");
      expect(text.stdout).toMatch(/^user-api on stack production, newest first:$/m);
    },
    UP_TIMEOUT_MS * 3,
  );

  it.each([
    ["user-api", "v2.3.1", async () => (await deploymentImage(context!.kc, "production", "user-api"))?.endsWith(":v2.3.1") === true],
    ["payment-service", "slot blue (v3.1.0)", async () => (await endpointPods(context!.kc, "production", "payment-service")).every((pod) => pod.startsWith("payment-service-blue-"))],
  ])(
    "rolls %s back: traffic first by the quick command, then the stack in agreement, both timed, and no drift after",
    async (service, target, trafficBack) => {
      const ran = await safeDeploy(engine, "rollback", service, "--stack", "production", "--json");
      expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(0);
      const run = json<{ target: string; outcome: string; quick: { ok: boolean; seconds: number }; agreedSeconds: number; verify: { output: string } }>(ran);
      expect(run).toMatchObject({ target, outcome: "succeeded", quick: { ok: true } });
      expect(run.agreedSeconds).toBeGreaterThanOrEqual(run.quick.seconds);
      expect(await trafficBack()).toBe(true);
      const preview = await safeDeploy(engine, "preview", "--stack", "production");
      expect(preview.stdout).toMatch(/no changes$/m);
    },
    UP_TIMEOUT_MS * 2,
  );

  it("refuses a rollback with nothing to go back to, before anything changes", async () => {
    // user-api went back to v2.3.1 above; its previousVersion is v2.4.0 now, so take the canary at 0 instead.
    await engine.cli(["config", "set", "--path", "safe-deploy:services.recommendation-engine.canaryWeight", "0"]);
    expect((await safeDeploy(engine, "up", "--stack", "production")).code).toBe(0);
    const refused = await safeDeploy(engine, "rollback", "recommendation-engine", "--stack", "production");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("recommendation-engine has no rollback target in stack production");
  }, UP_TIMEOUT_MS);

  it(
    "goes back to an earlier update's config with --to: the canary at 20% again by the update alone, and refuses a version that never served",
    async () => {
      const ran = await safeDeploy(engine, "rollback", "recommendation-engine", "--stack", "production", "--to", "v4.1.0", "--json");
      expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(0);
      expect(json<{ outcome: string; quick: { command: string } }>(ran)).toMatchObject({ outcome: "succeeded", quick: { command: "" } });
      expect(await deploymentsSettled(context!.kc, "production")).toMatchObject({ "recommendation-engine": "8/8 available, 8 updated", "recommendation-engine-canary": "2/2 available, 2 updated" });
      expect((await engine.cli(["config", "get", "--path", "safe-deploy:services.recommendation-engine.canaryWeight"])).stdout.trim()).toBe("20");

      const never = await safeDeploy(engine, "rollback", "user-api", "--stack", "production", "--to", "v9.9.9");
      expect(never.code).toBe(2);
      expect(never.stderr).toContain("no succeeded update of the stack history brought user-api v9.9.9 into traffic");
    },
    UP_TIMEOUT_MS * 2,
  );

  it("exits 5 when its timeout runs out, the engine told to stop, and the stack usable after", async () => {
    const cut = await safeDeploy(engine, "preview", "--stack", "production", "--timeout", "0.02");
    expect(cut.code, cut.stdout).toBe(5);
    expect(cut.stdout).toMatch(/^preview of stack production \(production\): timed-out in /m);
    expect((await safeDeploy(engine, "preview", "--stack", "production")).code).toBe(0);
  }, UP_TIMEOUT_MS);

  it("refuses, before anything changes, a canary version taken out of traffic, and promote or abort where no canary takes traffic", async () => {
    const key = "safe-deploy:services.recommendation-engine.canaryWeight";
    await engine.cli(["config", "set", "--path", key, "0"]);
    try {
      const refused = await safeDeploy(engine, "release", "recommendation-engine", "v4.1.0", "--stack", "production");
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('the canary v4.1.0 of recommendation-engine was taken out of traffic (canaryWeight 0: its analysis failed, or it was aborted or rolled back)');
      expect(refused.stderr).toContain('--again "why"');
      const nothing = await safeDeploy(engine, "promote", "recommendation-engine", "--stack", "production");
      expect(nothing.code).toBe(2);
      expect(nothing.stderr).toBe("safe-deploy: nothing to promote: no canary of recommendation-engine takes traffic (canaryWeight 0)\n");
    } finally {
      await engine.cli(["config", "set", "--path", key, "20"]);
    }
    const rolling = await safeDeploy(engine, "abort", "user-api", "--stack", "production");
    expect(rolling.code).toBe(2);
    expect(rolling.stderr).toBe("safe-deploy: nothing to abort: a rolling service has no canary to promote or abort: safe-deploy rollback takes a release back\n");
    expect((await safeDeploy(engine, "preview", "--stack", "production")).stdout).toMatch(/no changes$/m);
  }, UP_TIMEOUT_MS);

  it("comments a pull request's preview: a clean version change, then a canary step the production pack refuses, one comment updated in place", async () => {
    const github = await startFakeGithub("shop", "deploy", "ghs_commandTestToken42");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safe-deploy-pr-"));
    const eventPath = path.join(dir, "event.json");
    fs.writeFileSync(eventPath, JSON.stringify({ number: 12, pull_request: { number: 12, head: { sha: "4f2c9e1", repo: { full_name: "shop/deploy" } } }, repository: { full_name: "shop/deploy" } }));
    const summary = path.join(dir, "summary.md");
    const actions = { GITHUB_EVENT_PATH: eventPath, GITHUB_API_URL: github.url, GITHUB_REPOSITORY: "shop/deploy", GITHUB_TOKEN: "ghs_commandTestToken42", GITHUB_STEP_SUMMARY: summary };
    const key = (field: string) => `safe-deploy:services.${field}`;
    const version = (await engine.cli(["config", "get", "--path", key("user-api.version")])).stdout.trim();
    const previous = (await engine.cli(["config", "get", "--path", key("user-api.previousVersion")])).stdout.trim();
    try {
      await engine.cli(["config", "set", "--path", key("user-api.previousVersion"), version]);
      await engine.cli(["config", "set", "--path", key("user-api.version"), "v2.6.0"]);
      const clean = await runSafeDeploy(engine, ["preview", "--stack", "production", "--comment"], engine.workDir, actions);
      expect(clean.code, clean.stderr).toBe(0);
      expect(clean.stderr).toMatch(/safe-deploy preview: job summary written; comment created: https:\/\/github\.com\/shop\/deploy\/pull\/12#issuecomment-\d+/);
      const [first] = github.comments.get(12) ?? [];
      expect(first?.body).toContain("### ✅ production (production): would go through");
      expect(first?.body).toContain(`| user-api | ${version} → **v2.6.0** | rolling |`);
      expect(first?.body).toMatch(/- user-api to .*v2\.6\.0|- user-api to .*: quick `kubectl /);

      await engine.cli(["config", "set", "--path", key("recommendation-engine.canaryWeight"), "40"]);
      const refused = await runSafeDeploy(engine, ["preview", "--stack", "production", "--comment"], engine.workDir, actions);
      expect(refused.code, refused.stderr).toBe(0);
      expect(refused.stderr).toContain("comment updated");
      const comments = github.comments.get(12) ?? [];
      expect(comments).toHaveLength(1);
      expect(comments[0]?.body).toContain("### ⛔ production (production): would be refused by policy enforce-canary-steps");
      expect(comments[0]?.body).toContain("**enforce-canary-steps** (⛔ blocking: mandatory in production)");
      // The whole preview in the job summary, both pushes; no secret anywhere.
      expect(fs.readFileSync(summary, "utf8").split("<!-- safe-deploy:preview -->")).toHaveLength(3);
      for (const secret of [engine.env["PULUMI_CONFIG_PASSPHRASE"]!, "ghs_commandTestToken42"]) {
        expect(comments[0]?.body).not.toContain(secret);
        expect(refused.stdout + refused.stderr).not.toContain(secret);
      }
    } finally {
      await engine.cli(["config", "set", "--path", key("recommendation-engine.canaryWeight"), "20"]);
      await engine.cli(["config", "set", "--path", key("user-api.version"), version]);
      await engine.cli(["config", "set", "--path", key("user-api.previousVersion"), previous]);
      await github.server.close();
    }
  }, UP_TIMEOUT_MS);

  it("exits 64 on a command line it does not take, and 2 outside a project", async () => {
    expect((await safeDeploy(engine, "up")).code).toBe(64);
    expect((await safeDeploy(engine, "deploy", "--stack", "production")).code).toBe(64);
    const outside = await runSafeDeploy(engine, ["status", "--stack", "production"], context!.dir);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain("run safe-deploy in the project's directory");
  });
});
