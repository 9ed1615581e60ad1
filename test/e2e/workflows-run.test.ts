// The workflows' own `run` steps, executed in order as a GitHub runner runs
// them: in a real git clone of the repository, with the environment GitHub
// sets (the event in GITHUB_EVENT_PATH, GITHUB_STEP_SUMMARY, GITHUB_ENV,
// GITHUB_PATH, GITHUB_OUTPUT, RUNNER_TEMP), the job's and the step's `env:`
// with `${{ secrets.* }}` and `${{ github.* }}` filled in, a step's `if:`,
// and what a step writes to GITHUB_ENV and GITHUB_PATH carried to the next;
// against the local cluster, a file state backend and a loopback server
// answering as GitHub's API. preview.yml: the first push creates the
// comment, the second updates the same one, a fork's pull request (no
// secrets) writes the summary only and passes. release.yml: staging goes
// out, production as shipped is refused by its checklist, and a rerun
// resumes first. The runner here has the Kubernetes provider on PATH (the
// stand-in), as a GitHub runner would download the real one.
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PROJECT_ROOT, STANDIN_BIN } from "../../tools/rehearsal/engine";
import { startFakeGithub, type FakeGithub } from "../support/fake-github";
import { startE2e, stopE2e, toolchain, UP_TIMEOUT_MS, type E2eContext } from "./support";

const execFileAsync = promisify(execFile);
const TOKEN = "ghs_workflowTestToken77";
const PASSPHRASE = "workflow-test-passphrase-3d1e";

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly env?: Record<string, string>;
  readonly if?: string;
}
interface Workflow {
  readonly jobs: Record<string, { readonly env?: Record<string, string>; readonly steps: Step[] }>;
}

/** `${{ secrets.X }}`, `${{ github.token }}`, `${{ github.actor }}` as GitHub fills them; anything else is a test bug. */
function fill(value: string, secrets: Readonly<Record<string, string>>, github: Readonly<Record<string, string>>): string {
  return value.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
    const secret = /^secrets\.(\w+)$/.exec(expression);
    if (secret !== null) return secrets[secret[1]!] ?? "";
    const field = /^github\.(\w+)$/.exec(expression);
    if (field !== null && field[1]! in github) return github[field[1]!]!;
    throw new Error(`the test does not fill \${{ ${expression} }}`);
  });
}

/** A step's `if:` in the forms these workflows use: `github.run_attempt != 'N'` (and ==). */
function condition(expression: string, github: Readonly<Record<string, string>>): boolean {
  const compared = /^\s*github\.(\w+)\s*(!=|==)\s*'([^']*)'\s*$/.exec(expression);
  if (compared === null) throw new Error(`the test does not evaluate if: ${expression}`);
  const value = github[compared[1]!] ?? "";
  return compared[2] === "==" ? value === compared[3] : value !== compared[3];
}

/** KEY=VALUE lines (and KEY<<EOF blocks) as a step writes GITHUB_ENV. */
function envFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=]+)<<(.+)$/.exec(lines[i]!);
    if (heredoc !== null) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      out[heredoc[1]!] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (lines[i]!.includes("=")) {
      const at = lines[i]!.indexOf("=");
      out[lines[i]!.slice(0, at)] = lines[i]!.slice(at + 1);
    }
  }
  return out;
}

describe.skipIf(!toolchain.ok)("the workflows, their run steps in order as a runner runs them", () => {
  let context: E2eContext | undefined;
  let github: FakeGithub;
  let root: string;
  let checkout: string;

  beforeAll(async () => {
    context = await startE2e("workflows-run");
    github = await startFakeGithub("shop", "deploy", TOKEN);
    root = fs.mkdtempSync(path.join(context.dir, "runner-"));
    checkout = path.join(root, "deploy");
    // actions/checkout: the repository at its commit (a real clone); the runner's npm cache stands in for npm ci.
    execFileSync("git", ["clone", "--quiet", PROJECT_ROOT, checkout]);
    for (const dir of [".", "policy"]) fs.symlinkSync(path.join(PROJECT_ROOT, dir, "node_modules"), path.join(checkout, dir, "node_modules"));
    fs.cpSync(path.join(PROJECT_ROOT, "policy", "bin"), path.join(checkout, "policy", "bin"), { recursive: true });
  }, UP_TIMEOUT_MS);
  afterAll(async () => {
    await github?.server.close();
    await stopE2e(context);
  }, 60_000);

  interface JobRun {
    readonly summary: string;
    readonly outputs: string[];
    /** The step that failed and how, when one did (the job stops there, as on a runner). */
    readonly failed?: { readonly step: string; readonly code: number; readonly output: string };
  }

  /**
   * Runs every `run` step of `job` in `workflowFile` as a runner does for one event: the step's `if:`
   * (the few forms these workflows use), its `env:` filled in, GITHUB_ENV and GITHUB_PATH carried on.
   */
  async function runJob(
    name: string,
    workflowFile: string,
    jobName: string,
    event: Record<string, unknown>,
    secrets: Readonly<Record<string, string>>,
    runAttempt = 1,
  ): Promise<JobRun> {
    const workflow = parse(fs.readFileSync(path.join(PROJECT_ROOT, ".github", "workflows", workflowFile), "utf8")) as Workflow;
    const temp = fs.mkdtempSync(path.join(root, `${name}-`));
    const files = { event: path.join(temp, "event.json"), summary: path.join(temp, "summary.md"), env: path.join(temp, "env"), path: path.join(temp, "path"), output: path.join(temp, "output") };
    fs.writeFileSync(files.event, JSON.stringify(event));
    for (const file of [files.summary, files.env, files.path, files.output]) fs.writeFileSync(file, "");
    const githubContext = { token: secrets["GITHUB_TOKEN"] ?? "", actor: "ana", run_attempt: String(runAttempt) };
    const job = workflow.jobs[jobName]!;
    // The runner's machine: its PATH (with the provider plugin), a home of its own, no network for plugins.
    let env: Record<string, string> = {
      PATH: `${STANDIN_BIN}:${process.env["PATH"] ?? ""}`,
      HOME: process.env["HOME"] ?? root,
      PULUMI_HOME: path.join(root, "pulumi-home"),
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      CI: "true",
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: "pull_request" in event ? "pull_request" : "push",
      GITHUB_EVENT_PATH: files.event,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_ENV: files.env,
      GITHUB_PATH: files.path,
      GITHUB_OUTPUT: files.output,
      GITHUB_REPOSITORY: "shop/deploy",
      GITHUB_API_URL: github.url,
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_RUN_ID: "4242",
      GITHUB_RUN_ATTEMPT: String(runAttempt),
      GITHUB_WORKSPACE: checkout,
      RUNNER_TEMP: temp,
      ...Object.fromEntries(Object.entries(job.env ?? {}).map(([key, value]) => [key, fill(String(value), secrets, githubContext)])),
    };
    const outputs: string[] = [];
    const summary = () => fs.readFileSync(files.summary, "utf8");
    for (const step of job.steps) {
      if (step.run === undefined) continue;
      if (step.if !== undefined && !condition(step.if, githubContext)) continue;
      // A run script that expands an expression itself would let a pull request's text into the shell.
      expect(step.run, `${step.name}: an expression in a run script`).not.toMatch(/\$\{\{/);
      const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([key, value]) => [key, fill(String(value), secrets, githubContext)]));
      try {
        const ran = await execFileAsync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run], { cwd: checkout, env: { ...env, ...stepEnv }, maxBuffer: 32 * 2 ** 20, timeout: 10 * 60_000 });
        outputs.push(`${ran.stdout}${ran.stderr}`);
      } catch (error) {
        const failed = error as { stdout?: string; stderr?: string; code?: number };
        return { summary: summary(), outputs, failed: { step: step.name ?? step.run, code: failed.code ?? -1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` } };
      }
      // What the step handed on, as the runner hands it to the next step.
      const added = fs.readFileSync(files.path, "utf8").split("\n").filter((line) => line !== "");
      env = { ...env, ...envFile(fs.readFileSync(files.env, "utf8")), PATH: [...added.reverse(), env["PATH"]].join(":") };
      fs.writeFileSync(files.path, "");
    }
    return { summary: summary(), outputs };
  }

  const pullRequest = (headRepo: string) => ({ action: "synchronize", number: 21, pull_request: { number: 21, head: { sha: "9c0ffee", repo: { full_name: headRepo } } }, repository: { full_name: "shop/deploy" } });
  const push = async (name: string, headRepo: string, secrets: Readonly<Record<string, string>>) => {
    const ran = await runJob(name, "preview.yml", "preview", pullRequest(headRepo), secrets);
    if (ran.failed !== undefined) throw new Error(`step '${ran.failed.step}' exited ${ran.failed.code}:\n${ran.failed.output}`);
    return ran;
  };

  it(
    "preview.yml: comments once on the first push and updates the same comment on the second; a fork's push writes the summary only",
    async () => {
      const kubeconfig = fs.readFileSync(context!.cluster.kubeconfigPath, "utf8");
      const secrets = { PULUMI_BACKEND_URL: `file://${path.join(root, "state")}`, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE, KUBECONFIG: kubeconfig, GITHUB_TOKEN: TOKEN };
      fs.mkdirSync(path.join(root, "state"), { recursive: true });

      const first = await push("first", "shop/deploy", secrets);
      const comments = () => github.comments.get(21) ?? [];
      expect(comments()).toHaveLength(1);
      const body = comments()[0]!.body;
      // The README shows this comment, as a real run made it.
      const sample = process.env["SAFE_DEPLOY_COMMENT_SAMPLE"];
      if (sample !== undefined) fs.writeFileSync(sample, body);
      // Nothing deployed yet: every service new; production's gate refuses (staging has not served the versions).
      expect(body).toContain("### ✅ staging (staging): would go through");
      expect(body).toContain("### ⛔ production (production): would be refused by policy enforce-pre-deployment-checklist");
      expect(body).toContain("**enforce-pre-deployment-checklist** (⛔ blocking: mandatory in production)");
      // Each item that did not pass, with its fix, as the pack words it.
      expect(body).toMatch(/staging-first.*\n/);
      expect(body).toContain("| user-api | new → **v2.4.0** | rolling |");
      expect(first.summary).toContain("<!-- safe-deploy:preview -->");
      for (const secret of [PASSPHRASE, TOKEN, kubeconfig.match(/token: (\S+)/)?.[1] ?? "no token in the kubeconfig"]) {
        expect(body).not.toContain(secret);
        expect(first.outputs.join("\n")).not.toContain(secret);
      }

      const id = comments()[0]!.id;
      await push("second", "shop/deploy", secrets);
      expect(comments().map((comment) => comment.id)).toEqual([id]);

      const fork = await push("fork", "someone/deploy", {});
      expect(fork.summary).toContain("a pull request from a fork gets no secrets");
      expect(comments()).toHaveLength(1);
    },
    UP_TIMEOUT_MS * 3,
  );
  it(
    "release.yml: staging through safe-deploy up; production, as shipped, refused by its checklist; a rerun of staging resumes first",
    async () => {
      const kubeconfig = fs.readFileSync(context!.cluster.kubeconfigPath, "utf8");
      const state = path.join(root, "release-state");
      fs.mkdirSync(state, { recursive: true });
      const secrets = { PULUMI_BACKEND_URL: `file://${state}`, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE, KUBECONFIG: kubeconfig, GITHUB_TOKEN: TOKEN };
      const pushed = { ref: "refs/heads/main", after: "9c0ffee", repository: { full_name: "shop/deploy" } };

      const staging = await runJob("staging", "release.yml", "staging", pushed, secrets);
      expect(staging.failed, staging.failed?.output).toBeUndefined();
      expect(staging.outputs.join("\n")).toMatch(/^up of stack staging \(staging\): succeeded in [0-9.]+ s: \d+ to create/m);

      // Production as shipped names no checklist sources: its release is refused before anything is deployed.
      const production = await runJob("production", "release.yml", "production", pushed, secrets);
      expect(production.failed).toMatchObject({ step: "Up", code: 2 });
      expect(production.failed?.output).toMatch(/^up of stack production \(production\): refused/m);

      // A rerun of the staging job: resume first (no lock left, nothing to do), then an up with no changes.
      const rerun = await runJob("staging-again", "release.yml", "staging", pushed, secrets, 2);
      expect(rerun.failed, rerun.failed?.output).toBeUndefined();
      expect(rerun.outputs).toHaveLength(4);
      expect(rerun.outputs[2]).toContain("resume of stack staging: nothing to resume: it is not locked and no operation is pending");
      expect(rerun.outputs[3]).toMatch(/^up of stack staging \(staging\): succeeded in [0-9.]+ s, no changes$/m);
    },
    UP_TIMEOUT_MS * 3,
  );
});
