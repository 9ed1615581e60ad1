// A real Prometheus (Debian's package) for the tests: on 127.0.0.1, a free
// port, a temporary data directory, a short scrape interval; stopped by pid.
// Without the binary the tests are skipped loudly, naming the install command.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { ENSURE_COMMAND } from "../../tools/toolchain/paths";
import { debianBinary, debianReady } from "../support/debian-binary";
import { waitFor } from "../../tools/cluster/wait";

/** The `prometheus` executable on PATH, or undefined. */
export const prometheusBinary = (): string | undefined => debianBinary("prometheus");

/** Whether prometheus is installed; warns loudly (what is skipped, and the install command) when not. */
export const prometheusReady = (what: string): boolean => debianReady("prometheus", what);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface LocalPrometheus {
  readonly url: string;
  readonly pid: number;
  readonly dir: string;
  /** SIGSTOP: the process keeps its port but answers nothing (a hung Prometheus). */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** Starts Prometheus scraping `targets` (host:port) every `scrapeMs`. */
export async function startPrometheus(targets: readonly string[], scrapeMs = 500): Promise<LocalPrometheus> {
  const binary = prometheusBinary();
  if (binary === undefined) throw new Error(`prometheus is not installed; run ${ENSURE_COMMAND}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safe-deploy-prometheus-"));
  const port = await freePort();
  const config = [
    "global:",
    `  scrape_interval: ${scrapeMs}ms`,
    `  scrape_timeout: ${Math.floor(scrapeMs * 0.8)}ms`,
    "scrape_configs:",
    "  - job_name: canary",
    // The served series carry their own app/version/namespace labels.
    "    honor_labels: true",
    "    static_configs:",
    `      - targets: [${targets.map((t) => `'${t}'`).join(", ")}]`,
    "",
  ].join("\n");
  fs.writeFileSync(path.join(dir, "prometheus.yml"), config);
  const log = fs.openSync(path.join(dir, "prometheus.log"), "w");
  const child: ChildProcess = spawn(
    binary,
    [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ["ignore", log, log] },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error("prometheus did not start");
  let exited: string | undefined;
  child.once("exit", (code, signal) => (exited = `prometheus exited (${signal ?? code}); see ${path.join(dir, "prometheus.log")}`));
  const url = `http://127.0.0.1:${port}`;
  await waitFor("prometheus to be ready", async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), {
    timeoutMs: 30_000,
    abortReason: () => exited,
  });
  return {
    url,
    pid,
    dir,
    pause: () => process.kill(pid, "SIGSTOP"),
    resume: () => process.kill(pid, "SIGCONT"),
    stop: async () => {
      if (exited !== undefined) return;
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      process.kill(pid, "SIGCONT");
      process.kill(pid, "SIGTERM");
      await gone;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
