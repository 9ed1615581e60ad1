// `safe-deploy ARGS` started in the background, as a second operator or a CI
// job would: its progress lines awaited as they come, and a hard kill of the
// command and everything it started at once (a runner gone).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { processRuns } from "../../cli/stack-locks";
import type { EngineStack } from "../../tools/rehearsal/engine";
import { SAFE_DEPLOY_BIN } from "../../tools/rehearsal/safe-deploy-command";
import { eventually } from "./support";

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

export interface Background {
  /** Resolves with how the command ended: its exit code, or the signal that killed it. */
  readonly ended: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
  /** Resolves when a line of its progress (stderr) matches. */
  line(pattern: RegExp): Promise<string>;
  /** SIGKILL to the command and everything it started, at once: a runner gone. Resolves once none of them runs. */
  killHard(): Promise<void>;
}

/** `safe-deploy ARGS` started in the background, as a second operator or a CI job would. */
export function startSafeDeploy(engine: EngineStack, args: readonly string[]): Background {
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
