// The control-plane processes: started with their output in a log file each,
// stopped by pid, and only ever the pids we started (a recorded pid is
// checked against the executable before it is signalled, since pids are
// reused).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** What is needed to find and stop a component again, also from another process. */
export interface ComponentRecord {
  readonly name: string;
  readonly pid: number;
  /** Real path of the executable, to recognise the pid as ours. */
  readonly exe: string;
  readonly logFile: string;
}

export interface ComponentSpec {
  readonly name: string;
  /** Executable; symlinks are resolved. */
  readonly bin: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A component this process started. */
export class ComponentProcess implements ComponentRecord {
  private exitInfo: ExitInfo | undefined;

  private constructor(
    readonly name: string,
    readonly pid: number,
    readonly exe: string,
    readonly logFile: string,
    /** Resolves when the process exits. */
    readonly exited: Promise<ExitInfo>,
  ) {
    void exited.then((info) => {
      this.exitInfo = info;
    });
  }

  /** How it exited, or undefined while it runs. */
  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /**
   * Starts the component with stdout and stderr appended to `logDir/<name>.log`.
   * `detached` puts it in its own session so it outlives this process (and
   * a Ctrl-C in this terminal); otherwise it dies with its process group.
   */
  static async start(spec: ComponentSpec, logDir: string, detached: boolean): Promise<ComponentProcess> {
    const exe = fs.realpathSync(spec.bin);
    const logFile = path.join(logDir, `${spec.name}.log`);
    fs.writeFileSync(logFile, `# ${exe} ${spec.args.join(" ")}\n`, { flag: "a" });
    const fd = fs.openSync(logFile, "a");
    try {
      const child = spawn(exe, [...spec.args], {
        cwd: spec.cwd,
        env: spec.env ?? process.env,
        stdio: ["ignore", fd, fd],
        detached,
      });
      const exited = new Promise<ExitInfo>((resolve) => {
        child.once("exit", (code, signal) => resolve({ code, signal }));
      });
      await new Promise<void>((resolve, reject) => {
        child.once("spawn", resolve);
        child.once("error", (error) => reject(new Error(`could not start ${spec.name} (${exe}): ${error.message}`)));
      });
      if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${exe}): no pid`);
      // Unref'd: a detached cluster must not hold the starting process open,
      // and an attached one is stopped explicitly anyway.
      child.unref();
      return new ComponentProcess(spec.name, child.pid, exe, logFile, exited);
    } finally {
      fs.closeSync(fd); // the child holds its own copy
    }
  }
}

/** Whether the recorded pid is still alive and still runs the recorded executable. */
export function isRunning(record: ComponentRecord): boolean {
  const proc = `/proc/${record.pid}`;
  if (fs.existsSync("/proc/self")) {
    try {
      const state = /\)\s+(\S)/.exec(fs.readFileSync(`${proc}/stat`, "utf8"))?.[1];
      if (state === "Z" || state === "X") return false;
      // A rebuilt binary shows as "<path> (deleted)".
      return fs.readlinkSync(`${proc}/exe`).replace(/ \(deleted\)$/, "") === record.exe;
    } catch {
      return false; // gone, or not ours to inspect
    }
  }
  // No /proc (macOS): the best available answer is whether the pid exists.
  try {
    process.kill(record.pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(record: ComponentRecord, sig: NodeJS.Signals): void {
  if (!isRunning(record)) return;
  try {
    process.kill(record.pid, sig);
  } catch {
    // Exited between the check and the signal.
  }
}

/**
 * Stops the components: SIGTERM to all, SIGKILL to those still running after
 * `graceMs`. Resolves when none of them runs.
 */
export async function stopProcesses(records: readonly ComponentRecord[], graceMs = 5000): Promise<void> {
  for (const record of records) signal(record, "SIGTERM");
  await exitedWithin(records, graceMs);
  for (const record of records) signal(record, "SIGKILL");
  await exitedWithin(records, 5000);
  const stuck = records.filter(isRunning);
  if (stuck.length > 0) {
    throw new Error(`still running after SIGKILL: ${stuck.map((r) => `${r.name} (pid ${String(r.pid)})`).join(", ")}`);
  }
}

/**
 * Stops the components stage by stage, each stage as stopProcesses does.
 * Order matters: an API server whose etcd is gone, or whose clients still
 * hold watches, takes 7 to 11 s to exit on SIGTERM instead of 1.
 */
export async function stopInStages(stages: readonly (readonly ComponentRecord[])[], graceMs = 5000): Promise<void> {
  for (const stage of stages) await stopProcesses(stage, graceMs);
}

async function exitedWithin(records: readonly ComponentRecord[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (records.some(isRunning) && Date.now() < deadline) await sleep(20);
}

/**
 * Stops a cluster's processes (only those still running the recorded
 * executable): clients first, then the API server, then etcd, which lets
 * each exit on SIGTERM within about a second.
 */
export function stopComponents(components: readonly ComponentRecord[]): Promise<void> {
  const tier = (name: string): number => (name === "etcd" ? 2 : name === "kube-apiserver" ? 1 : 0);
  return stopInStages([0, 1, 2].map((t) => components.filter((c) => tier(c.name) === t)));
}

/** For a process 'exit' handler, where nothing asynchronous runs any more. */
export function killProcessesSync(records: readonly ComponentRecord[]): void {
  for (const record of records) signal(record, "SIGKILL");
}

/** The last `lines` lines of a log file ('' when it cannot be read). */
export function tailLog(file: string, lines = 30): string {
  try {
    const text = fs.readFileSync(file, "utf8").trimEnd();
    return text.split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
