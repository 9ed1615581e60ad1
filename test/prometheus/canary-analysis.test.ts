// The canary analysis against a real Prometheus (Debian's package) scraping a
// loopback server that serves stable and canary traffic with chosen error
// rates and latencies; and `analyze` run as a command against it.
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { analyzeCanaryConfig } from "./analysis-config";
import { freePort, prometheusReady, startPrometheus, type LocalPrometheus } from "./local-prometheus";
import { startTrafficServer, type ServedService, type TrafficServer } from "./traffic-server";
import { runAnalysis } from "../../analysis/run-analysis";
import type { CanaryAnalysis } from "../../analysis/canary-analysis";
import { waitFor } from "../../tools/cluster/wait";
import { ENSURE_COMMAND, toolchainBin, toolchainCache } from "../../tools/toolchain/paths";
import { HEALTHY } from "../support/canary-traffic";
import { expectWithinBound } from "../support/time-bound";

const execFileAsync = promisify(execFile);
const ROOT = path.join(__dirname, "..", "..");
/** Each test may wait for data to arrive (bounded by its waitFor); on a busy machine that takes longer than vitest's 30 s default. */
const WAITS = { timeout: 120_000 };
const NAMESPACE = "production";

/** 400 requests a second, canary at 10%: enough that a few seconds hold many 2-second windows of evidence. */
const busy = (app: string, canary: ServedService["canary"]): ServedService => ({ namespace: NAMESPACE, app, requestsPerSecond: 400, canaryShare: 0.1, stable: HEALTHY, canary });
const SERVICES: readonly ServedService[] = [
  // The runbook's bad canary: 5.2% errors against 0.4%.
  busy("recommendation-engine", { ...HEALTHY, errorRate: 0.052 }),
  busy("healthy", HEALTHY),
  // Errors as the stable's, p99 doubled.
  busy("slow", { ...HEALTHY, p99Seconds: 0.4 }),
  // 12 requests a minute.
  { ...busy("thin", HEALTHY), requestsPerSecond: 0.2 },
];

describe.runIf(prometheusReady("the canary analysis tests against a real Prometheus"))("canary analysis against a real Prometheus", () => {
  let prometheus: LocalPrometheus;
  let traffic: TrafficServer;
  let started: number;

  beforeAll(async () => {
    traffic = await startTrafficServer(SERVICES, 16);
    started = Date.now() / 1000;
    prometheus = await startPrometheus([traffic.target]);
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await traffic?.stop();
  });

  const analyze = (app: string, overrides: Parameters<typeof analyzeCanaryConfig>[1] = {}, start = started) =>
    runAnalysis({ service: app, namespace: NAMESPACE, analysis: analyzeCanaryConfig(prometheus.url, overrides), start });

  /** Looks again every second until the decision is `decision` (or the wait's bound), as an operator's watch would. */
  const until = (decision: CanaryAnalysis["decision"], look: () => Promise<CanaryAnalysis>) =>
    waitFor(`a '${decision}' decision`, async () => {
      const result = await look();
      return result.decision === decision ? result : undefined;
    }, { timeoutMs: 60_000, intervalMs: 1000 });

  it("fails the runbook's bad canary (5.2% errors against 0.4%) on its error rate", WAITS, async () => {
    const result = await until("fail", () => analyze("recommendation-engine"));
    expect(result.checks.find((c) => c.check === "errors")?.verdict).toBe("worse");
    expect(result.canary.errorRate.rate).toBeGreaterThan(0.02);
    expect(result.stable.errorRate.rate).toBeLessThan(0.02);
  });

  it("fails a canary whose p99 doubled while its error rate is the stable's, on latency", WAITS, async () => {
    const result = await until("fail", () => analyze("slow"));
    expect(result.checks.map((c) => [c.check, c.verdict])).toEqual([
      ["errors", "undecided"],
      ["latency", "worse"],
    ]);
    expect(result.reasons[0]).toMatch(/^canary share of requests slower than the stable's p99 \(0\.25 s\)/);
  });

  it("passes a healthy canary once it has had its duration with enough traffic", WAITS, async () => {
    // The canary "started" a full duration ago: the traffic of the last seconds is all there is, and it is enough.
    const result = await until("pass", () => analyze("healthy", { minCanaryRequests: 200 }, Date.now() / 1000 - 60));
    expect(result.reasons[0]).toMatch(/^ran its full 60 s with \d+ canary requests and no evidence that it is worse/);
    expect(result.checks.every((c) => c.verdict !== "worse")).toBe(true);
  });

  it("says inconclusive when traffic is too thin, naming the requests still missing", WAITS, async () => {
    const result = await analyze("thin", {}, Date.now() / 1000 - 60);
    expect(result.decision).toBe("inconclusive");
    expect(result.reasons[0]).toMatch(/^too little traffic to know: the canary served \d+ of the 500 requests needed \(\d+ missing\)$/);
  });

  it("says inconclusive for a service Prometheus has no data for", WAITS, async () => {
    const result = await analyze("nobody");
    expect(result.decision).toBe("inconclusive");
    expect(result.reasons[0]).toMatch(/^no data for the stable track's requests since .*app="nobody", version="stable"/);
  });

  it("says inconclusive when a query returns NaN", WAITS, async () => {
    const nan = 'sum(increase(http_requests_total{app="{{app}}",version="{{version}}"}[{{interval}}])) / 0 * 0';
    const result = await analyze("recommendation-engine", { queries: { requests: nan } });
    expect(result.decision).toBe("inconclusive");
    expect(result.reasons[0]).toMatch(/^Prometheus returned NaN for the (stable|canary) track's requests at /);
  });

  it("says inconclusive within the query timeout when Prometheus stops answering mid-analysis, then when it is gone", WAITS, async () => {
    // Once the data is there (this test may run alone, before any other has waited for it).
    const before = await until("fail", () => analyze("recommendation-engine", { timeoutSeconds: 1 }));
    expect(before.decision).toBe("fail");

    prometheus.pause();
    const lookStarted = Date.now();
    const hung = await analyze("recommendation-engine", { timeoutSeconds: 1 }).finally(() => prometheus.resume());
    const tookMs = Date.now() - lookStarted;
    expect(hung.decision).toBe("inconclusive");
    expect(hung.reasons).toEqual([`Prometheus at ${prometheus.url} did not answer within 1000 ms`]);
    // It gave up on the timeout, not before it, and did not wait on past it for long.
    expectWithinBound(tookMs, 1000, { waitedForIt: true });

    await prometheus.stop();
    const gone = await analyze("recommendation-engine", { timeoutSeconds: 1 });
    expect(gone.decision).toBe("inconclusive");
    expect(gone.reasons).toEqual([`Prometheus at ${prometheus.url} is unreachable (ECONNREFUSED)`]);
  });
});

const pulumiPresent = fs.existsSync(toolchainBin("pulumi"));

/** A local file backend and Pulumi home of the test's own. */
const pulumiEnv = (dir: string): Record<string, string> => ({
  PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
  PULUMI_CONFIG_PASSPHRASE: "safe-deploy-test",
  PULUMI_HOME: path.join(dir, "home"),
  PULUMI_SKIP_UPDATE_CHECK: "true",
});
if (!pulumiPresent) console.warn(`\n*** SKIPPED: the analyze command tests need the Pulumi CLI (not installed).\n*** Run: ${ENSURE_COMMAND}\n`);

describe.runIf(prometheusReady("the analyze command tests") && pulumiPresent)("analyze --service S --stack X", () => {
  let prometheus: LocalPrometheus;
  let traffic: TrafficServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    // The runbook's bad canary, and a healthy one to watch.
    traffic = await startTrafficServer(SERVICES.slice(0, 2), 61);
    prometheus = await startPrometheus([traffic.target]);
    // A stack of the shipped production config, its canary pointed at this Prometheus, in a local file backend.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "safe-deploy-analyze-"));
    const work = path.join(dir, "workspace");
    for (const d of [work, path.join(dir, "state"), path.join(dir, "home")]) fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(work, "Pulumi.yaml"), stringify({ name: "safe-deploy", runtime: "nodejs" }));
    const stackFile = parse(fs.readFileSync(path.join(ROOT, "Pulumi.production.yaml"), "utf8")) as { config: { "safe-deploy:services": Record<string, Record<string, unknown>> } };
    const canary = stackFile.config["safe-deploy:services"]["recommendation-engine"];
    if (canary === undefined) throw new Error("the production stack lost its canary");
    canary["analysis"] = { prometheusUrl: prometheus.url, intervalSeconds: 2, timeoutSeconds: 1 };
    stackFile.config["safe-deploy:services"]["healthy"] = {
      image: "registry.example.com/shop/healthy",
      strategy: "canary",
      replicas: 10,
      stableVersion: "v1.0.0",
      canaryVersion: "v1.1.0",
      canaryWeight: 10,
      analysis: { prometheusUrl: prometheus.url, intervalSeconds: 2, timeoutSeconds: 1 },
    };
    fs.writeFileSync(path.join(work, "Pulumi.production.yaml"), stringify(stackFile));
    env = { ...process.env, PATH: [path.dirname(toolchainBin("pulumi")), path.dirname(process.execPath), process.env["PATH"] ?? ""].join(path.delimiter), ...pulumiEnv(dir) };
    // One real update (of a program with no resources) records the stack's config in its history, as `pulumi up` would.
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "production", projectName: "safe-deploy", program: async () => ({}) },
      { workDir: work, envVars: pulumiEnv(dir), pulumiCommand: await PulumiCommand.get({ root: toolchainCache() }) },
    );
    await stack.up();
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await traffic?.stop();
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function analyzeCommand(args: readonly string[]): Promise<{ code: number; stdout: string }> {
    const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
    try {
      const { stdout } = await execFileAsync(tsx, [path.join(ROOT, "analysis", "analyze.ts"), ...args], { cwd: path.join(dir, "workspace"), env, timeout: 60_000 });
      return { code: 0, stdout };
    } catch (error) {
      const e = error as { code?: number; stdout?: string };
      return { code: e.code ?? -1, stdout: e.stdout ?? "" };
    }
  }

  it("exits 1 with the decision and its numbers as JSON for the runbook's bad canary", WAITS, async () => {
    const result = await waitFor("analyze to fail the canary", async () => {
      const run = await analyzeCommand(["--service", "recommendation-engine", "--stack", "production", "--since", "60s", "--json"]);
      return run.code === 1 ? run : undefined;
    }, { timeoutMs: 90_000, intervalMs: 1000 });
    const json = JSON.parse(result.stdout) as CanaryAnalysis & { service: string; stack: string };
    expect(json).toMatchObject({ service: "recommendation-engine", stack: "production", decision: "fail" });
    expect(json.checks[0]).toMatchObject({ check: "errors", verdict: "worse" });
  });

  it("finds when the canary started in the stack's history when --since is not given", WAITS, async () => {
    const result = await waitFor("analyze to fail the canary", async () => {
      const run = await analyzeCommand(["--service", "recommendation-engine", "--stack", "production"]);
      return run.code === 1 ? run : undefined;
    }, { timeoutMs: 90_000, intervalMs: 1000 });
    expect(result.stdout).toMatch(/^FAIL: canary of recommendation-engine \(stack production\), after \d+ s of 1800 s\n  - canary error rate is /);
  });

  it("ends a --watch with inconclusive within the query timeout when Prometheus stops answering mid-analysis", WAITS, async () => {
    const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
    const child = spawn(tsx, [path.join(ROOT, "analysis", "analyze.ts"), "--service", "healthy", "--stack", "production", "--since", "10s", "--watch"], {
      cwd: path.join(dir, "workspace"),
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    // "close": the process has exited and its output is all read.
    const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
    // The healthy canary stays undecided for its 30 minutes: wait for the watch's first "keep watching" line.
    await waitFor("the watch's first look", async () => (/inconclusive: no evidence either way yet|inconclusive: too little traffic/.test(stdout) ? true : undefined), {
      timeoutMs: 60_000,
      abortReason: () => (child.exitCode === null ? undefined : `analyze exited ${child.exitCode}: ${stdout}`),
    }).catch((error: unknown) => {
      child.kill();
      throw error;
    });
    prometheus.pause();
    try {
      expect(await exited).toBe(2);
    } finally {
      prometheus.resume();
    }
    expect(stdout).toMatch(new RegExp(`\\nINCONCLUSIVE: canary of healthy \\(stack production\\)[^\\n]*\\n  - Prometheus at ${prometheus.url.replace(/\./g, "\\.")} did not answer within 1000 ms\\n`));
  });

  it("prints the decision for people and exits 2 when Prometheus is unreachable", WAITS, async () => {
    const deadPort = await freePort();
    const run = await analyzeCommand(["--service", "recommendation-engine", "--stack", "production", "--since", "60s", "--prometheus", `http://127.0.0.1:${deadPort}`]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(new RegExp(`^INCONCLUSIVE: canary of recommendation-engine \\(stack production\\)[^\\n]*\\n  - Prometheus at http://127\\.0\\.0\\.1:${deadPort} is unreachable \\(ECONNREFUSED\\)\\n`));
  });

  it("exits 64 naming the problem for a service that is not a canary", WAITS, async () => {
    const run = await analyzeCommand(["--service", "user-api", "--stack", "production", "--since", "60s"]);
    expect(run.code).toBe(64);
    expect(run.stdout).toBe("analyze: service 'user-api' of stack production is rolling, not a canary: there is nothing to analyze\n");
  });
});
