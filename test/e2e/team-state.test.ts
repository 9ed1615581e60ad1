// Team state: the stack in a real PostgreSQL on loopback, as several
// operators and CI jobs share it, through the `safe-deploy` command as typed.
// One update at a time (the second refused at once, naming who holds the
// lock), and `safe-deploy resume` after the engine is SIGKILLed at several
// points of a blue-green release: traffic served throughout, nothing replaced.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_NAME } from "../../cli/open-stack";
import { readStackLocks } from "../../cli/stack-locks";
import { SLOW_READY_POD_LABEL } from "../../tools/cluster/stages";
import type { EngineStack } from "../../tools/rehearsal/engine";
import { runSafeDeploy, type CommandRun } from "../../tools/rehearsal/safe-deploy-command";
import { startSafeDeploy, type Background } from "./background-command";
import { postgresBinDir, startPostgres, type PostgresServer } from "../support/postgres-server";
import { deploymentImage, endpointPods, engineFor, eventually, onlyServices, startE2e, stopE2e, toolchain, UP_TIMEOUT_MS, type E2eContext } from "./support";

const json = <T>(ran: CommandRun): T => JSON.parse(ran.stdout) as T;

describe.skipIf(!toolchain.ok || postgresBinDir() === undefined)("team state in PostgreSQL, through safe-deploy", () => {
  let context: E2eContext | undefined;
  let postgres: PostgresServer | undefined;
  beforeAll(async () => {
    context = await startE2e("team-state");
    postgres = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await postgres?.stop();
    await stopE2e(context);
  }, 60_000);

  /**
   * A production stack of one service in its own namespace, its state in a database of its own. Its pods
   * become Ready 3 s after they start, so an update lasts long enough to be met halfway.
   */
  async function teamStack(service: string, namespace: string): Promise<{ engine: EngineStack; backend: string }> {
    const backend = await postgres!.database(namespace.replace(/-/g, "_"));
    const slow = { [`services.${service}.podLabels["${SLOW_READY_POD_LABEL}"]`]: "true" };
    const engine = await engineFor(context!, "production", { editStackFile: onlyServices(service), config: { namespace, ...slow }, env: { PULUMI_BACKEND_URL: backend } });
    const up = await runSafeDeploy(engine, ["up", "--stack", "production"]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    return { engine, backend };
  }

  const locksOf = async (backend: string) => {
    const read = await readStackLocks(backend, PROJECT_NAME, "production", 10_000);
    if (!read.known) throw new Error(read.reason);
    return read.value;
  };

  it(
    "lets one operator update at a time: the second is refused at once naming who holds the stack, the first completes, nothing lost",
    async () => {
      const { engine, backend } = await teamStack("user-api", "operators");
      await engine.cli(["config", "set-all", "--path", "--plaintext", "safe-deploy:services.user-api.version=v2.3.1", "--plaintext", "safe-deploy:services.user-api.previousVersion=v2.4.0"]);
      const first = startSafeDeploy(engine, ["up", "--stack", "production", "--json"]);
      await eventually("the first operator's update to hold the lock", async () => (await locksOf(backend)).length > 0, 120_000);

      const second = await runSafeDeploy(engine, ["up", "--stack", "production"]);
      expect(second.code, `${second.stdout}\n${second.stderr}`).toBe(2);
      expect(second.stdout).toMatch(/^up of stack production \(production\): refused/m);
      expect(second.stdout).toMatch(/stack production is locked by \S+@\S+ \(pid \d+\) since \S+: an update runs; wait for it/);
      // Refused before its own preview: it never got as far as the engine.
      expect(second.stderr).not.toContain("previewing stack production");

      const status = await runSafeDeploy(engine, ["status", "--stack", "production"]);
      expect(status.stdout).toMatch(/^lock: locked by \S+ \(pid \d+\) since \S+: an update runs; wait for it$/m);
      const resume = await runSafeDeploy(engine, ["resume", "--stack", "production"]);
      expect(resume.code).toBe(2);
      expect(resume.stdout).toContain("that process still runs: let it finish (a lock whose holder runs is never broken)");

      const firstEnded = await first.ended;
      expect(firstEnded.code, firstEnded.stderr).toBe(0);
      expect(json<{ outcome: string }>({ code: 0, stdout: firstEnded.stdout, stderr: "" }).outcome).toBe("succeeded");
      expect(await deploymentImage(context!.kc, "operators", "user-api")).toMatch(/:v2\.3\.1$/);
      expect(await locksOf(backend)).toEqual([]);
      // Nothing lost: the stack history holds both updates, the release once.
      const history = json<{ updates: { version: string | null; change: string; result: string }[] }>(await runSafeDeploy(engine, ["history", "user-api", "--stack", "production", "--json"]));
      expect(history.updates.map((row) => [row.version, row.change, row.result])).toEqual([
        ["v2.3.1", "release", "succeeded"],
        ["v2.4.0", "release", "succeeded"],
      ]);
    },
    UP_TIMEOUT_MS * 2,
  );

  // Each a release of payment-service onto its idle slot with the switch, in one update; the engine killed at:
  const KILL_POINTS: readonly { readonly at: string; readonly when: (run: Background, backend: string) => Promise<unknown> }[] = [
    { at: "before the first step (the lock just taken)", when: (_run, backend) => eventually("the lock", async () => (await locksOf(backend)).length > 0, 120_000) },
    { at: "mid-Deployment rollout", when: (run) => run.line(/^\s+update kubernetes:apps\/v1:Deployment payment-service-(blue|green)/) },
    { at: "after the migration Job", when: (run) => run.line(/^\s+done (create|create-replacement) kubernetes:batch\/v1:Job /) },
    { at: "before the selector switch", when: (run) => run.line(/^\s+done update kubernetes:apps\/v1:Deployment payment-service-(blue|green)/) },
  ];

  it(
    "brings a release SIGKILLed at each point back with resume: the lock broken, objects adopted, nothing replaced, traffic served throughout",
    async () => {
      const { engine, backend } = await teamStack("payment-service", "resume");
      // Shipped: green v3.2.0 live, blue v3.1.0 standby. Each release: the idle slot to a new version, then the switch.
      let live: "blue" | "green" = "green";
      let minor = 3;
      const seconds: string[] = [];
      let serving = true;
      let fewest = Number.POSITIVE_INFINITY;
      const watch = (async () => {
        while (serving) {
          fewest = Math.min(fewest, (await endpointPods(context!.kc, "resume", "payment-service")).length);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      try {
        for (const point of KILL_POINTS) {
          const idle: "blue" | "green" = live === "green" ? "blue" : "green";
          const version = `v3.${minor++}.0`;
          await engine.cli(["config", "set-all", "--path", "--plaintext", `safe-deploy:services.payment-service.${idle}Version=${version}`, "--plaintext", `safe-deploy:services.payment-service.liveSlot=${idle}`]);
          const release = startSafeDeploy(engine, ["up", "--stack", "production"]);
          const reached = await Promise.race([point.when(release, backend).then(() => true), release.ended.then(() => false)]);
          if (!reached) expect.fail(`the release ended before ${point.at}:\n${(await release.ended).stderr}`);
          await release.killHard();
          const killed = await release.ended;
          expect(killed.signal, `${point.at}: the release ended by itself (${String(killed.code)}):\n${killed.stderr}`).toBe("SIGKILL");

          const resumed = await runSafeDeploy(engine, ["resume", "--stack", "production", "--json"]);
          expect(resumed.code, `${point.at}:\n${resumed.stdout}\n${resumed.stderr}`).toBe(0);
          const run = json<{ outcome: string; brokeLocks: boolean; cleared: string[]; seconds: number; update: { steps: { op: string; resource: string }[] } | null }>(resumed);
          expect(run.outcome).toBe("succeeded");
          expect(run.brokeLocks, point.at).toBe(true);
          expect(run.update, point.at).not.toBeNull();
          // What serves (Deployments, Services, routes) is never replaced; a migration Job is per version and the
          // release record is rewritten, so a release replaces those two whether it was killed or not.
          const replaced = (run.update?.steps ?? []).filter((step) => /replace/.test(step.op)).map((step) => step.resource);
          expect(replaced.filter((resource) => /^kubernetes:(apps\/v1:Deployment|core\/v1:Service|gateway\.networking\.k8s\.io\/v1:HTTPRoute) /.test(resource)), point.at).toEqual([]);
          seconds.push(`${point.at}: ${run.seconds} s (planned again: ${run.cleared.join(", ") || "nothing pending"})`);

          live = idle;
          expect(await endpointPods(context!.kc, "resume", "payment-service")).not.toEqual([]);
          expect((await endpointPods(context!.kc, "resume", "payment-service")).every((pod) => pod.startsWith(`payment-service-${live}-`))).toBe(true);
          expect(await deploymentImage(context!.kc, "resume", `payment-service-${live}`)).toMatch(new RegExp(`:${version.replace(/\./g, "\\.")}$`));
          const preview = await runSafeDeploy(engine, ["preview", "--stack", "production"]);
          expect(preview.stdout, point.at).toMatch(/no changes$/m);
          expect(await locksOf(backend)).toEqual([]);
        }
      } finally {
        serving = false;
        await watch;
      }
      expect(fewest, "ready endpoints behind payment-service at the worst moment").toBeGreaterThan(0);
      console.log(`resume after a hard kill, payment-service (blue-green):\n  ${seconds.join("\n  ")}`);
    },
    UP_TIMEOUT_MS * 6,
  );
});
