// `safe-deploy release` of a canary, as typed, on the real engine and the
// local cluster, the canary analysis reading a real Prometheus (Debian's)
// that scrapes a loopback server playing recommendation-engine's stable and
// canary tracks, each track's share of the requests following the HTTPRoute's
// weights in the cluster (read every 100 ms). The runbook's bad canary is
// aborted at its first step, the stable untouched; thin traffic holds the
// release (never promoted, never aborted by the automation) until a person
// aborts it; a healthy canary killed in the middle of its 30% step goes on
// from there when the same command runs again, through every share to its
// promotion. A healthy canary passes a step only after the analysis'
// maxDurationSeconds (60 s here, the schema's least), which is why the last
// test takes some minutes.
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatRun } from "../../cli/format-run";
import { formatRelease, type ReleaseRun } from "../../cli/release";
import type { EngineStack } from "../../tools/rehearsal/engine";
import { runSafeDeploy, type CommandRun } from "../../tools/rehearsal/safe-deploy-command";
import { startServer, type LoopbackServer } from "../checks/loopback-server";
import { prometheusReady, startPrometheus, type LocalPrometheus } from "../prometheus/local-prometheus";
import { startTrafficServer, type ServedService, type TrafficServer } from "../prometheus/traffic-server";
import { HEALTHY } from "../support/canary-traffic";
import { chromiumReady } from "../support/chromium";
import { startSafeDeploy } from "./background-command";
import { deployChecked, every100ms, HOOK_PATH } from "./checks-support";
import { expectReadableReport } from "./report-look";
import { apis, changes, deploymentImage, engineFor, eventually, routeWeights, runningPods, startE2e, stopE2e, toolchain, UP_TIMEOUT_MS, type E2eContext } from "./support";

const SERVICE = "recommendation-engine";
const NAMESPACE = "release-canary";
const json = <T>(ran: CommandRun): T => JSON.parse(ran.stdout) as T;

interface Release {
  outcome: string;
  why?: string;
  steps: { what: string; update: { outcome: string; changes: Record<string, number> }; analysis?: { decision: string; looks: unknown[] } }[];
  undo?: { quick: { ok: boolean; command: string } | null; update: { outcome: string } };
}

/** The players' traffic: 400 requests a second, the canary's share set from the route. */
const BUSY = 400;

describe.skipIf(!toolchain.ok || !prometheusReady("the canary release tests") || !chromiumReady("the release report"))("safe-deploy release of canary recommendation-engine, judged by the analysis", () => {
  let context: E2eContext | undefined;
  let engine: EngineStack;
  let traffic: TrafficServer | undefined;
  let prometheus: LocalPrometheus | undefined;
  let hook: LoopbackServer | undefined;
  let watcher: { stop(): Promise<void> } | undefined;
  /** What the loopback server plays: mutable, read on every tick. */
  const player: { -readonly [K in keyof ServedService]: ServedService[K] } = {
    namespace: NAMESPACE,
    app: SERVICE,
    requestsPerSecond: BUSY,
    canaryShare: 0,
    stable: HEALTHY,
    canary: HEALTHY,
  };
  /** When the canary's share went above 0 and back to 0, as the watcher saw the route (ms). */
  const shareChanges: { at: number; share: number }[] = [];

  const weights = () => routeWeights(context!.kc, NAMESPACE, SERVICE);
  const release = (version: string, ...more: string[]) => runSafeDeploy(engine, ["release", SERVICE, version, "--stack", "production", "--json", ...more]);
  const serviceConfig = async () => JSON.parse((await engine.stack.getAllConfig())["safe-deploy:services"]!.value)[SERVICE] as Record<string, unknown>;
  const notices = () => hook!.received.map((request) => (JSON.parse(request.body) as { text: string }).text.split("\n")[0]);

  beforeAll(async () => {
    context = await startE2e("release-canary");
    traffic = await startTrafficServer([player], 22);
    prometheus = await startPrometheus([traffic.target]);
    hook = await startServer(() => ({ status: 200, body: "ok" }));
    const prometheusUrl = prometheus.url;
    engine = await engineFor(context, "production", {
      editStackFile: (config) => {
        const services = config["safe-deploy:services"] as Record<string, Record<string, unknown>>;
        const { canaryVersion: _canary, ...shipped } = services[SERVICE]!;
        config["safe-deploy:services"] = {
          [SERVICE]: {
            ...shipped,
            canaryWeight: 0,
            httpRoute: { gatewayName: "public" },
            // Short looks so a test runs in minutes; the least maxDurationSeconds the schema takes.
            analysis: { prometheusUrl, intervalSeconds: 2, timeoutSeconds: 2, maxDurationSeconds: 60, minCanaryRequests: 200 },
          },
        };
      },
      config: { namespace: NAMESPACE },
    });
    await deployChecked(engine, `${hook.url}${HOOK_PATH}`);
    // Each track's share of the played requests follows the route, as a Gateway's would.
    watcher = every100ms(async () => {
      const share = ((await weights())[1] ?? 0) / 100;
      if (share !== player.canaryShare) shareChanges.push({ at: Date.now(), share });
      player.canaryShare = share;
    });
  }, 2 * UP_TIMEOUT_MS);
  afterAll(async () => {
    await watcher?.stop();
    await hook?.close();
    await prometheus?.stop();
    await traffic?.stop();
    await stopE2e(context);
  }, 60_000);

  it(
    "aborts the runbook's bad canary at its first step, traffic back on the stable before the update, and refuses to release it again: exit 3",
    async () => {
      player.canary = { ...HEALTHY, errorRate: 0.052 };
      const from = shareChanges.length;
      const ran = await release("v4.1.0");
      expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(3);
      const run = json<Release>(ran);
      // As the command prints it without --json (the README shows it).
      console.log(formatRelease(json<ReleaseRun>(ran), formatRun));
      expect(run.outcome).toBe("aborted");
      expect(run.why).toMatch(/^the canary analysis failed v4\.1\.0: /);
      expect(run.steps.map((step) => [step.what, step.analysis?.decision])).toEqual([["v4.1.0 as the canary at 10% of the traffic", "fail"]]);
      expect(run.undo?.quick).toMatchObject({ ok: true, command: expect.stringContaining(`kubectl patch httproute ${SERVICE} -n ${NAMESPACE}`) });
      expect(run.undo?.update.outcome).toBe("succeeded");

      // The stable untouched: its version, all its pods, all the traffic; the canary gone.
      expect(await weights()).toEqual([100, 0]);
      expect(await deploymentImage(context!.kc, NAMESPACE, SERVICE)).toMatch(/:v4\.0\.3$/);
      await eventually("10 stable pods, no canary pods", async () => (await runningPods(context!.kc, NAMESPACE, `app=${SERVICE},version=stable`)).length === 10 && (await runningPods(context!.kc, NAMESPACE, `app=${SERVICE},version=canary`)).length === 0);
      expect(await serviceConfig()).toMatchObject({ stableVersion: "v4.0.3", canaryVersion: "v4.1.0", canaryWeight: 0 });
      const exposed = shareChanges.slice(from);
      expect(exposed.map((change) => change.share)).toEqual([0.1, 0]);
      console.log(`bad canary: in traffic ${((exposed[1]!.at - exposed[0]!.at) / 1000).toFixed(1)} s, from its first 10% to the stable alone`);
      expect(notices()).toEqual(
        expect.arrayContaining([
          "Starting production deployment of recommendation-engine v4.1.0",
          "Production deployment of recommendation-engine v4.1.0: v4.1.0 as the canary at 10% of the traffic",
          "Production deployment of recommendation-engine v4.1.0: canary aborted, traffic back on the stable track",
        ]),
      );

      const again = await release("v4.1.0");
      expect(again.code, again.stdout).toBe(2);
      expect(again.stderr).toContain("the canary v4.1.0 of recommendation-engine was taken out of traffic");
      expect(await weights()).toEqual([100, 0]);

      // The report, as a person opens it: aborted, in red, the fail marked on both charts.
      const report = await runSafeDeploy(engine, ["report", SERVICE, "--stack", "production", "--out", path.join(engine.workDir, "aborted.html")]);
      expect(report.code, report.stderr).toBe(0);
      expect(report.stdout).toMatch(/^aborted: recommendation-engine v4\.1\.0: the canary analysis failed v4\.1\.0: /);
      const seen = await expectReadableReport(path.join(engine.workDir, "aborted.html"), path.join(engine.workDir, "aborted.png"), { verdict: /^ABORTED: recommendation-engine v4\.1\.0$/, colour: "#b91c1c", decisions: ["fail"] });
      console.log(`aborted report: ${JSON.stringify(seen)}`);
    },
    UP_TIMEOUT_MS * 2,
  );

  it(
    "holds a canary on thin traffic, neither promoted nor aborted, until a person aborts it: exit 4, then abort",
    async () => {
      player.canary = HEALTHY;
      player.requestsPerSecond = 2;
      try {
        // Held at the command's own bound (a minute), before the analysis' 60 s: the same hold, in less time.
        const ran = await release("v4.2.0", "--timeout", "1");
        expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(4);
        const run = json<Release>(ran);
        expect(run.outcome).toBe("held");
        expect(run.why).toMatch(/^the canary analysis could not decide within the step's bound: too little traffic to know: the canary served \d+ of the 200 requests needed/);
        expect(run.steps.map((step) => step.analysis?.decision)).toEqual(["inconclusive"]);
        // Held: the canary keeps its share, nothing else moved.
        expect(await weights()).toEqual([90, 10]);
        expect(await serviceConfig()).toMatchObject({ stableVersion: "v4.0.3", canaryVersion: "v4.2.0", canaryWeight: 10 });
        expect(notices()).toContain("Production deployment of recommendation-engine v4.2.0 is held: the canary analysis could not decide in time");

        const aborted = await runSafeDeploy(engine, ["abort", SERVICE, "--stack", "production", "--reason", "too little traffic tonight"]);
        expect(aborted.code, `${aborted.stdout}\n${aborted.stderr}`).toBe(0);
        expect(aborted.stdout).toMatch(/^abort of recommendation-engine v4\.2\.0 on stack production: succeeded: abort the canary v4\.2\.0/);
        expect(await weights()).toEqual([100, 0]);
        const history = await engine.stack.history();
        expect(history[0]?.message).toBe("safe-deploy abort recommendation-engine v4.2.0: abort the canary v4.2.0: out of traffic, the stable v4.0.3 serves it all; by hand: too little traffic tonight");
      } finally {
        player.requestsPerSecond = BUSY;
      }
    },
    UP_TIMEOUT_MS * 2,
  );

  it(
    "releases a healthy canary through every share to its promotion, going on from the 30% step after the command was killed there",
    async () => {
      player.canary = HEALTHY;
      // Busy enough that the analysis gathers evidence within tolerance before its 60 s.
      player.requestsPerSecond = 20 * BUSY;
      const first = startSafeDeploy(engine, ["release", SERVICE, "v4.3.0", "--stack", "production"]);
      // Killed while the analysis judges the 30% step: its update went through, the next has not begun.
      await first.line(/^recommendation-engine: the canary analysis judges v4\.3\.0 as the canary at 30% of the traffic /);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await first.killHard();
      expect((await first.ended).signal).toBe("SIGKILL");
      expect(await weights()).toEqual([70, 30]);

      const ran = await release("v4.3.0");
      expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(0);
      const run = json<Release>(ran);
      console.log(formatRelease(json<ReleaseRun>(ran), formatRun));
      expect(run.outcome).toBe("succeeded");
      expect(run.steps.map((step) => [step.what, step.analysis?.decision])).toEqual([
        ["go on with v4.3.0 as the canary at 30% of the traffic, where the release had reached", "pass"],
        ["v4.3.0 as the canary at 50% of the traffic", "pass"],
        ["promote v4.3.0: the stable track runs it, the canary track goes to 0", undefined],
      ]);
      // Going on changed nothing in the cluster: the 30% step was there already.
      expect(changes(run.steps[0]!.update.changes)).toEqual({});

      expect(await deploymentImage(context!.kc, NAMESPACE, SERVICE)).toMatch(/:v4\.3\.0$/);
      const deployments = await (await apis(context!.kc)).apps.listNamespacedDeployment({ namespace: NAMESPACE });
      expect(deployments.items.map((d) => d.metadata?.name)).toEqual([SERVICE]);
      expect(await serviceConfig()).toMatchObject({ stableVersion: "v4.3.0", canaryWeight: 0 });
      expect((await serviceConfig())["canaryVersion"]).toBeUndefined();
      const preview = await runSafeDeploy(engine, ["preview", "--stack", "production"]);
      expect(preview.stdout).toMatch(/no changes$/m);
      expect(notices()).toContain("Production deployment of recommendation-engine v4.3.0 succeeded");
      player.requestsPerSecond = BUSY;

      // The report: released, in green, each share's pass marked (and the 30% step the kill interrupted); its screenshot is the README's.
      const report = await runSafeDeploy(engine, ["report", "--stack", "production", "--out", path.join(engine.workDir, "released.html")]);
      expect(report.code, report.stderr).toBe(0);
      expect(report.stdout).toMatch(/^released: recommendation-engine v4\.3\.0: /);
      const screenshot = process.env["SAFE_DEPLOY_REPORT_SCREENSHOT"] ?? path.join(engine.workDir, "released.png");
      await expectReadableReport(path.join(engine.workDir, "released.html"), screenshot, { verdict: /^RELEASED: recommendation-engine v4\.3\.0$/, colour: "#15803d", decisions: ["pass", "interrupted", "pass", "pass"] });
    },
    UP_TIMEOUT_MS * 4,
  );
});
