// `safe-deploy release` as typed, on the real engine and the local cluster,
// the checks inside `pulumi up` reaching loopback servers that play the
// service: for blue-green, a release onto the idle slot and the switch, and a
// release whose verification fails after the switch, switched back at once
// (selector first, then the update with the config from before), exiting 3;
// for rolling, a release whose verification fails after the rollout, rolled
// back the same way (the Deployment first, then the update).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatRun } from "../../cli/format-run";
import { formatRelease, type ReleaseRun } from "../../cli/release";
import type { EngineStack } from "../../tools/rehearsal/engine";
import { runSafeDeploy, type CommandRun } from "../../tools/rehearsal/safe-deploy-command";
import { startServer, type Handler, type LoopbackServer } from "../checks/loopback-server";
import { checkedPaymentService, deployChecked, every100ms, HOOK_PATH, playing } from "./checks-support";
import { apis, deploymentImage, endpointPods, engineFor, eventually, startE2e, stopE2e, toolchain, UP_TIMEOUT_MS, type E2eContext } from "./support";

const NAMESPACE = "release-bg";
const json = <T>(ran: CommandRun): T => JSON.parse(ran.stdout) as T;

describe.skipIf(!toolchain.ok)("safe-deploy release of blue-green payment-service", () => {
  let context: E2eContext | undefined;
  let engine: EngineStack;
  const servers: LoopbackServer[] = [];
  const version = { blue: "v3.1.0", green: "v3.2.0" };
  /** A slot whose health fails once the live Service points at it: a version that breaks under real traffic. */
  const failsWhenLive = { blue: false, green: false };
  let live: "blue" | "green" = "blue";
  let watcher: { stop(): Promise<void> } | undefined;

  const slotServer = (slot: "blue" | "green"): Handler => {
    const healthy = playing(() => version[slot]);
    return (request, index) => (request.path === "/health" && failsWhenLive[slot] && live === slot ? { status: 500, body: { status: "down" } } : healthy(request, index));
  };
  const selector = async () => (await (await apis(context!.kc)).core.readNamespacedService({ name: "payment-service", namespace: NAMESPACE })).spec?.selector?.["version"];

  beforeAll(async () => {
    context = await startE2e("release");
    const [blue, green, hook] = await Promise.all([startServer(slotServer("blue")), startServer(slotServer("green")), startServer(() => ({ status: 200, body: "ok" }))]);
    servers.push(blue, green, hook);
    engine = await engineFor(context, "production", {
      editStackFile: checkedPaymentService({ blue: blue.url, green: green.url }, 3),
      config: { namespace: NAMESPACE },
    });
    await deployChecked(engine, `${hook.url}${HOOK_PATH}`);
    // Which slot the live Service's selector points at, as the servers see it.
    watcher = every100ms(async () => {
      const slot = await selector();
      if (slot === "blue" || slot === "green") live = slot;
    });
  }, 2 * UP_TIMEOUT_MS);
  afterAll(async () => {
    await watcher?.stop();
    await Promise.all(servers.map((server) => server.close()));
    await stopE2e(context);
  }, 60_000);

  it(
    "puts the version on the idle slot, smoke-tests it, switches and verifies, in one update: exit 0",
    async () => {
      version.green = "v3.3.0";
      const ran = await runSafeDeploy(engine, ["release", "payment-service", "v3.3.0", "--stack", "production", "--json"]);
      expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(0);
      const run = json<{ outcome: string; steps: { what: string; update: { outcome: string } }[] }>(ran);
      expect(run.outcome).toBe("succeeded");
      expect(run.steps.map((step) => step.what)).toEqual(["put v3.3.0 on the idle slot green and switch traffic to it, keeping blue (v3.1.0) as the standby"]);
      expect(await selector()).toBe("green");
      expect(await deploymentImage(context!.kc, NAMESPACE, "payment-service-green")).toMatch(/:v3\.3\.0$/);
      await eventually("EndpointSlices on green", async () => (await endpointPods(context!.kc, NAMESPACE, "payment-service")).every((pod) => pod.startsWith("payment-service-green-")));

      // Run again, it finds the version out and changes nothing.
      const again = await runSafeDeploy(engine, ["release", "payment-service", "v3.3.0", "--stack", "production"]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/no changes$/m);
    },
    UP_TIMEOUT_MS * 2,
  );

  it(
    "switches back at once when verification fails after the switch, then brings the stack back to the config before: exit 3",
    async () => {
      version.blue = "v3.4.0";
      failsWhenLive.blue = true;
      const ran = await runSafeDeploy(engine, ["release", "payment-service", "v3.4.0", "--stack", "production", "--json"]);
      expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(3);
      const run = json<{ outcome: string; steps: { update: { outcome: string; errors: string[] } }[]; undo: { quick: { ok: boolean; command: string }; update: { outcome: string } } }>(ran);
      expect(run.outcome).toBe("rolled-back");
      expect(run.steps[0]?.update.outcome).toBe("failed");
      expect(run.steps[0]?.update.errors.join("\n")).toContain("payment-service-verify");
      expect(run.undo.quick).toMatchObject({ ok: true, command: expect.stringContaining(`kubectl patch service payment-service -n ${NAMESPACE}`) });
      expect(run.undo.update.outcome).toBe("succeeded");

      // Traffic on green (v3.3.0) again, the stack config as before the release, and nothing left to change.
      expect(await selector()).toBe("green");
      await eventually("EndpointSlices back on green", async () => (await endpointPods(context!.kc, NAMESPACE, "payment-service")).every((pod) => pod.startsWith("payment-service-green-")));
      const config = await engine.stack.getAllConfig();
      expect(JSON.parse(config["safe-deploy:services"]!.value)["payment-service"]).toMatchObject({ liveSlot: "green", blueVersion: "v3.1.0", greenVersion: "v3.3.0" });
      const preview = await runSafeDeploy(engine, ["preview", "--stack", "production"]);
      expect(preview.stdout).toMatch(/no changes$/m);
      const text = await runSafeDeploy(engine, ["history", "payment-service", "--stack", "production"]);
      expect(text.stdout).toMatch(/update\s+failed\s+v3\.4\.0/);
    },
    UP_TIMEOUT_MS * 2,
  );

  it(
    "keeps the standby for the retention after the switch, then retires it by an update of its own",
    async () => {
      const early = await runSafeDeploy(engine, ["retire", "payment-service", "--stack", "production"]);
      expect(early.code, early.stdout).toBe(2);
      expect(early.stderr).toMatch(/payment-service v3\.3\.0 took traffic at \S+ \(update \d+\), \d+ min ago: the standby stays for the retention of 30 min/);
      const standbyReplicas = async () => (await (await apis(context!.kc)).apps.readNamespacedDeployment({ name: "payment-service-blue", namespace: NAMESPACE })).spec?.replicas;
      expect(await standbyReplicas()).toBe(4);

      const ran = await runSafeDeploy(engine, ["retire", "payment-service", "--stack", "production", "--retention-minutes", "0.01", "--json"]);
      expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(0);
      expect(json<{ what: string; retentionMinutes: number }>(ran)).toMatchObject({ what: "scale the standby slot blue (v3.1.0) down to 0", retentionMinutes: 0.01 });
      expect(await standbyReplicas()).toBe(0);
      expect(await selector()).toBe("green");
      const again = await runSafeDeploy(engine, ["retire", "payment-service", "--stack", "production", "--retention-minutes", "0.01"]);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain("its standby slot blue is retired already");
    },
    UP_TIMEOUT_MS,
  );
});

describe.skipIf(!toolchain.ok)("safe-deploy release of rolling user-api", () => {
  const namespace = "release-rolling";
  let context: E2eContext | undefined;
  let engine: EngineStack;
  let server: LoopbackServer | undefined;
  let hook: LoopbackServer | undefined;
  /** The version the Deployment runs, as the server plays it; v2.5.0 answers its health checks with 500. */
  let running = "v2.4.0";
  let watcher: { stop(): Promise<void> } | undefined;

  beforeAll(async () => {
    context = await startE2e("release-rolling");
    const healthy = playing(() => running);
    server = await startServer((request, index) => (request.path === "/health" && running === "v2.5.0" ? { status: 500, body: { status: "down" } } : healthy(request, index)));
    hook = await startServer(() => ({ status: 200, body: "ok" }));
    engine = await engineFor(context, "production", {
      editStackFile: (config) => {
        const services = config["safe-deploy:services"] as Record<string, Record<string, unknown>>;
        config["safe-deploy:services"] = { "user-api": { ...services["user-api"]!, checks: { urls: { live: server!.url }, smoke: { deadlineSeconds: 5, timeoutSeconds: 2 }, verify: { everySeconds: 1, forSeconds: 3 } } } };
      },
      config: { namespace },
    });
    await deployChecked(engine, `${hook.url}${HOOK_PATH}`);
    // What the Deployment runs, as the server behind the live URL plays it.
    watcher = every100ms(async () => {
      const tag = (await deploymentImage(context!.kc, namespace, "user-api"))?.split(":").at(-1);
      if (tag !== undefined) running = tag;
    });
  }, 2 * UP_TIMEOUT_MS);
  afterAll(async () => {
    await watcher?.stop();
    await Promise.all([server, hook].map((s) => s?.close()));
    await stopE2e(context);
  }, 60_000);

  it(
    "rolls back at once when verification fails after the rollout: the Deployment first, then the stack to the config before, exit 3",
    async () => {
      const ran = await runSafeDeploy(engine, ["release", "user-api", "v2.5.0", "--stack", "production", "--json"]);
      expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(3);
      const run = json<{ outcome: string; steps: { what: string; update: { outcome: string; errors: string[] } }[]; undo: { quick: { ok: boolean; command: string }; update: { outcome: string } } }>(ran);
      // As the command prints it without --json (the README shows it).
      console.log(formatRelease(json<ReleaseRun>(ran), formatRun));
      expect(run.outcome).toBe("rolled-back");
      expect(run.steps.map((step) => step.what)).toEqual(["roll out v2.5.0, keeping v2.4.0 as the rollback target"]);
      expect(run.steps[0]?.update.errors.join("\n")).toContain("user-api-verify");
      expect(run.undo.quick).toMatchObject({ ok: true, command: expect.stringContaining(`kubectl patch deployment user-api -n ${namespace}`) });
      expect(run.undo.update.outcome).toBe("succeeded");

      expect(await deploymentImage(context!.kc, namespace, "user-api")).toMatch(/:v2\.4\.0$/);
      const config = await engine.stack.getAllConfig();
      expect(JSON.parse(config["safe-deploy:services"]!.value)["user-api"]).toMatchObject({ version: "v2.4.0", previousVersion: "v2.3.1" });
      const preview = await runSafeDeploy(engine, ["preview", "--stack", "production"]);
      expect(preview.stdout).toMatch(/no changes$/m);
    },
    UP_TIMEOUT_MS * 2,
  );
});
