// Team state: the stack in a real PostgreSQL on loopback, as several
// operators and CI jobs share it, through the `safe-deploy` command as typed.
// One update at a time (the second refused at once, naming who holds the
// lock), and `safe-deploy resume` after the engine is SIGKILLed at several
// points of a blue-green release: traffic served throughout, nothing replaced.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_NAME } from "../../cli/open-stack";
import { processRuns, readStackLocks } from "../../cli/stack-locks";
import { SLOW_READY_POD_LABEL } from "../../tools/cluster/stages";
import type { EngineStack } from "../../tools/rehearsal/engine";
import { runSafeDeploy, SAFE_DEPLOY_BIN, type CommandRun } from "../../tools/rehearsal/safe-deploy-command";
import { postgresBinDir, startPostgres, type PostgresServer } from "../support/postgres-server";
import { deploymentImage, endpointPods, engineFor, eventually, onlyServices, startE2e, stopE2e, toolchain, UP_TIMEOUT_MS, type E2eContext } from "./support";

const json = <T>(ran: CommandRun): T => JSON.parse(ran.stdout) as T;

/** Every pid below `root` (the engine, its language host and plugins), from /proc. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const walk = (pid: number): void => {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
}

interface Background {
  /** Resolves with how the command ended: its exit code, or the signal that killed it. */
  readonly ended: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
  /** Resolves when a line of its progress (stderr) matches. */
  line(pattern: RegExp): Promise<string>;
  /** SIGKILL to the command and everything it started, at once: a runner gone. Resolves once none of them runs. */
  killHard(): Promise<void>;
}

/** `safe-deploy ARGS` started in the background, as a second operator or a CI job would. */
function startSafeDeploy(engine: EngineStack, args: readonly string[]): Background {
  const child = spawn(process.execPath, [SAFE_DEPLOY_BIN, ...args], { cwd: engine.workDir, env: { ...process.env, ...engine.env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const waiting: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const waiter of [...waiting]) {
      const match = stderr.split("\n").find((line) => waiter.pattern.test(line));
      if (match !== undefined) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  });
  const ended = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return {
    ended,
    line: (pattern) => new Promise((resolve) => waiting.push({ pattern, resolve })),
    killHard: async () => {
      const pid = child.pid;
      if (pid === undefined) return;
      const all = [pid, ...descendants(pid)];
      for (const each of all) {
        try {
          process.kill(each, "SIGKILL");
        } catch {
          // already gone
        }
      }
      // A process dies some moments after SIGKILL (a Go engine's threads one by one); gone is gone or a zombie.
      await eventually("the killed processes to be gone", () => Promise.resolve(!all.some(processRuns)), 10_000);
    },
  };
}

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
