// Debian's real servers for the checklist's sources, each on 127.0.0.1 on a
// free port with a temporary directory, stopped by pid: the distribution
// registry (`docker-registry`), Alertmanager and Prometheus with a rules file.
// Without a binary its tests are skipped loudly, naming the install command.
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { waitFor } from "../../../tools/cluster/wait";
import { ENSURE_COMMAND } from "../../../tools/toolchain/paths";
import { freePort } from "../../prometheus/local-prometheus";

/** The executable on PATH, or undefined. */
function commandPath(name: string): string | undefined {
  try {
    return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Whether every named Debian server is installed; warns loudly (what is skipped, and the install command) when not. */
export function debianServersReady(what: string, binaries: readonly string[]): boolean {
  const missing = binaries.filter((binary) => commandPath(binary) === undefined);
  if (missing.length === 0) return true;
  console.warn(`\n*** SKIPPED: ${what} need(s) ${missing.join(", ")} (Debian packages, not installed).\n*** Run: ${ENSURE_COMMAND}   (it runs apt-get install)\n`);
  return false;
}

export interface DebianServer {
  readonly url: string;
  readonly pid: number;
  readonly dir: string;
  /** SIGSTOP: the process keeps its port but answers nothing (a hung server). */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

interface ServerSpec {
  readonly binary: string;
  /** Files to write in the directory, by name. */
  readonly files: (dir: string, port: number) => Record<string, string>;
  readonly args: (dir: string, port: number) => string[];
  /** A path that answers (any status below 500) once the server serves. */
  readonly readyPath: string;
}

/**
 * SIGSTOP, then wait until every thread of the process is stopped: the kernel
 * stops a process's threads one by one, and a Go server was seen to answer one
 * more request right after kill() returned.
 */
export function stopProcess(pid: number): void {
  process.kill(pid, "SIGSTOP");
  const deadline = Date.now() + 2000;
  const states = () => fs.readdirSync(`/proc/${pid}/task`).map((tid) => fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8").replace(/^.*\) /s, "")[0]);
  while (!states().every((state) => state === "T" || state === "t")) {
    if (Date.now() > deadline) throw new Error(`process ${pid} did not stop within 2 s of SIGSTOP`);
  }
}

async function startDebianServer(spec: ServerSpec): Promise<DebianServer> {
  const binary = commandPath(spec.binary);
  if (binary === undefined) throw new Error(`${spec.binary} is not installed; run ${ENSURE_COMMAND}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `safe-deploy-${spec.binary}-`));
  const port = await freePort();
  for (const [name, text] of Object.entries(spec.files(dir, port))) fs.writeFileSync(path.join(dir, name), text);
  const logPath = path.join(dir, "server.log");
  const log = fs.openSync(logPath, "w");
  const child = spawn(binary, spec.args(dir, port), { stdio: ["ignore", log, log] });
  fs.closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${spec.binary} did not start`);
  let exited: string | undefined;
  child.once("exit", (code, signal) => (exited = `${spec.binary} exited (${signal ?? code}); its log: ${fs.readFileSync(logPath, "utf8").slice(-2000)}`));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${spec.binary} to serve`, async () => ((await fetch(`${url}${spec.readyPath}`)).status < 500 ? true : undefined), {
    timeoutMs: 30_000,
    abortReason: () => exited,
  });
  return {
    url,
    pid,
    dir,
    pause: () => stopProcess(pid),
    resume: () => process.kill(pid, "SIGCONT"),
    stop: async () => {
      if (exited === undefined) {
        const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        process.kill(pid, "SIGCONT");
        process.kill(pid, "SIGTERM");
        await gone;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The registry's test user; the htpasswd line is its bcrypt hash (cost 4, so the test stays fast). */
export const REGISTRY_USER = { username: "ci", password: "registry-test-password" } as const;
const REGISTRY_HTPASSWD = "ci:$2b$04$pQYUmKE.i8SfFWeikAMiYOBO0B.y6isMOmUCl8lVOEia/1JIXFzgS\n";

/** Debian's `docker-registry` (distribution 2.x) with basic auth by htpasswd. */
export function startRegistry(): Promise<DebianServer> {
  return startDebianServer({
    binary: "docker-registry",
    files: (dir, port) => ({
      htpasswd: REGISTRY_HTPASSWD,
      "config.yml": [
        "version: 0.1",
        "log:",
        "  level: warn",
        "storage:",
        "  filesystem:",
        `    rootdirectory: ${path.join(dir, "data")}`,
        "http:",
        `  addr: 127.0.0.1:${port}`,
        "auth:",
        "  htpasswd:",
        "    realm: safe-deploy-test",
        `    path: ${path.join(dir, "htpasswd")}`,
        "",
      ].join("\n"),
    }),
    args: (dir) => ["serve", path.join(dir, "config.yml")],
    readyPath: "/v2/",
  });
}

function sha256(data: Buffer): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** Pushes a small OCI image `repository:tag` through the distribution API, as a client without Docker would. */
export async function pushImage(registryUrl: string, repository: string, tag: string): Promise<string> {
  const authorization = `Basic ${Buffer.from(`${REGISTRY_USER.username}:${REGISTRY_USER.password}`).toString("base64")}`;
  const upload = async (blob: Buffer): Promise<{ digest: string; size: number }> => {
    const digest = sha256(blob);
    const started = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: "POST", headers: { authorization } });
    if (started.status !== 202) throw new Error(`starting an upload answered ${started.status}`);
    const location = new URL(started.headers.get("location") ?? "", registryUrl);
    location.searchParams.set("digest", digest);
    const put = await fetch(location, { method: "PUT", headers: { authorization, "content-type": "application/octet-stream" }, body: blob });
    if (put.status !== 201) throw new Error(`uploading a blob answered ${put.status}: ${await put.text()}`);
    return { digest, size: blob.length };
  };
  const config = await upload(Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: { Labels: { version: tag } }, rootfs: { type: "layers", diff_ids: [] } })));
  const layer = await upload(Buffer.from(`layer of ${repository}:${tag}`));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", ...layer }],
    }),
  );
  const put = await fetch(`${registryUrl}/v2/${repository}/manifests/${tag}`, {
    method: "PUT",
    headers: { authorization, "content-type": "application/vnd.oci.image.manifest.v1+json" },
    body: manifest,
  });
  if (put.status !== 201) throw new Error(`putting the manifest answered ${put.status}: ${await put.text()}`);
  return sha256(manifest);
}

/** Debian's `prometheus-alertmanager`, one receiver that sends nowhere, clustering off. */
export function startAlertmanager(): Promise<DebianServer> {
  return startDebianServer({
    binary: "prometheus-alertmanager",
    files: () => ({ "alertmanager.yml": ["route:", "  receiver: nowhere", "receivers:", "  - name: nowhere", ""].join("\n") }),
    args: (dir, port) => [
      `--config.file=${path.join(dir, "alertmanager.yml")}`,
      `--storage.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Empty: no gossip port, so two test servers never meet.
      "--cluster.listen-address=",
    ],
    readyPath: "/-/ready",
  });
}

/** Posts firing alerts to Alertmanager's API v2 and waits until it lists them. */
export async function postAlerts(alertmanagerUrl: string, alerts: readonly Record<string, string>[]): Promise<void> {
  const body = alerts.map((labels) => ({ labels, startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString() }));
  const response = await fetch(`${alertmanagerUrl}/api/v2/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`posting alerts answered ${response.status}: ${await response.text()}`);
  const names = new Set(alerts.map((labels) => labels["alertname"]));
  await waitFor("Alertmanager to list the posted alerts", async () => {
    const listed = (await (await fetch(`${alertmanagerUrl}/api/v2/alerts`)).json()) as { labels: Record<string, string> }[];
    return [...names].every((name) => listed.some((alert) => alert.labels["alertname"] === name)) ? true : undefined;
  }, { timeoutMs: 10_000 });
}

/** Debian's `prometheus` with an alerting rules file and nothing to scrape. */
export function startPrometheusWithRules(rulesYaml: string): Promise<DebianServer> {
  return startDebianServer({
    binary: "prometheus",
    files: (dir) => ({
      "rules.yml": rulesYaml,
      "prometheus.yml": ["global:", "  evaluation_interval: 1s", "rule_files:", `  - ${path.join(dir, "rules.yml")}`, "scrape_configs: []", ""].join("\n"),
    }),
    args: (dir, port) => [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`],
    readyPath: "/-/ready",
  });
}
