// Who holds a stack's lock, read straight from the state backend: the
// engine takes the lock only for an update (a preview does not), names the
// holder only when it refuses one, and `pulumi cancel` breaks every lock at
// once, alive or not. A self-managed backend keeps each lock as a JSON blob
// under `.pulumi/locks/organization/<project>/<stack>/`: a file for
// `file://`, a row of the state table for `postgres://` (measured on the CLI
// this project builds).
import { readFileSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { z } from "zod";
import type { Known } from "./known";

/** One lock, as the engine wrote it, and whether its holder still runs. */
export interface StackLock {
  readonly user: string;
  readonly host: string;
  readonly pid: number;
  /** When the update that holds it started (ISO 8601). */
  readonly since: string;
  /**
   * `alive` and `gone` are known only on the holder's own host (its pid is
   * looked up); elsewhere it is `unknown`: a lock is never taken for gone
   * without a person saying so.
   */
  readonly holder: "alive" | "gone" | "unknown";
}

const lockBlobSchema = z.object({
  pid: z.number().int(),
  username: z.string(),
  hostname: z.string(),
  timestamp: z.string(),
});

/** `root@vm (pid 6036) since 2026-12-03T14:14:10Z`: how an operator and the engine's own message name a holder. */
export function describeLock(lock: StackLock): string {
  return `${lock.user}@${lock.host} (pid ${String(lock.pid)}) since ${lock.since}`;
}

/** What a lock means for the operator, and what to do about it. */
export function lockAdvice(stack: string, lock: StackLock): string {
  const by = `locked by ${describeLock(lock)}`;
  if (lock.holder === "alive") return `${by}: an update runs; wait for it`;
  if (lock.holder === "gone") return `${by}: that process is gone (a hard kill?); safe-deploy resume --stack ${stack} brings the stack back`;
  return `${by}, on another host: if that host or CI runner is gone, safe-deploy resume --stack ${stack} --holder-gone ${lock.host}`;
}

/** Whether process `pid` of this host runs: a zombie (killed, not yet reaped) does not. */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  // A killed process whose parent has not reaped it yet (a zombie) still answers signal 0, but runs nothing.
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return true; // no /proc here: signal 0 is all there is
  }
}

function lockOf(raw: unknown, where: string): StackLock {
  const parsed = lockBlobSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${where} is not a lock the engine writes: ${parsed.error.issues[0]?.message ?? "unreadable"}`);
  const { pid, username, hostname, timestamp } = parsed.data;
  const holder = hostname !== os.hostname() ? "unknown" : processRuns(pid) ? "alive" : "gone";
  return { user: username, host: hostname, pid, since: timestamp.replace(/\.\d+Z$/, "Z"), holder };
}

function lockDir(project: string, stack: string): string {
  return `.pulumi/locks/organization/${project}/${stack}/`;
}

async function fileLocks(root: string, project: string, stack: string): Promise<StackLock[]> {
  const dir = path.join(root, lockDir(project, stack));
  const names = await fs.readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  return Promise.all(
    names.filter((name) => name.endsWith(".json")).map(async (name) => lockOf(JSON.parse(await fs.readFile(path.join(dir, name), "utf8")), path.join(dir, name))),
  );
}

/** A state row's `data`: the blob base64 in a JSON document (what the CLI here writes), or raw bytes. */
function blobOf(data: unknown): unknown {
  if (Buffer.isBuffer(data)) return JSON.parse(data.toString("utf8"));
  const wrapped = z.object({ data: z.string() }).safeParse(data);
  if (wrapped.success) return JSON.parse(Buffer.from(wrapped.data.data, "base64").toString("utf8"));
  return data;
}

async function postgresLocks(url: URL, project: string, stack: string, timeoutMs: number): Promise<StackLock[]> {
  // `table` is the backend's own setting, not a connection parameter.
  const table = url.searchParams.get("table") ?? "pulumi_state";
  const connection = new URL(url);
  connection.searchParams.delete("table");
  // Lazily: only a PostgreSQL backend pays for loading the client.
  const { Client } = (await import("pg")).default;
  const client = new Client({ connectionString: connection.toString(), connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  await client.connect();
  try {
    const table_ = client.escapeIdentifier(table);
    const result = await client.query<{ key: string; data: unknown }>(`SELECT key, data FROM ${table_} WHERE key LIKE $1`, [`%${lockDir(project, stack)}%.json`]);
    return result.rows.map((row) => lockOf(blobOf(row.data), `state row ${row.key}`));
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The backend's address with any password hidden, for messages. */
export function redactBackendUrl(backendUrl: string): string {
  return backendUrl.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:****@");
}

/** Where the stack's state lives: PULUMI_BACKEND_URL as the engine gets it, else what `pulumi login` chose. */
export async function backendUrlOf(stack: Stack): Promise<string> {
  const configured = stack.workspace.envVars["PULUMI_BACKEND_URL"] ?? process.env["PULUMI_BACKEND_URL"];
  if (configured !== undefined && configured !== "") return configured;
  const url = (await stack.workspace.whoAmI()).url;
  if (url === undefined) throw new Error("`pulumi whoami` names no backend: log in first (pulumi login)");
  return url;
}

/**
 * The stack's locks, from the backend `backendUrl` names (PULUMI_BACKEND_URL,
 * else what `pulumi login` chose). A backend this cannot read (Pulumi Cloud,
 * an object store) is `unknown`, with why.
 */
export async function readStackLocks(backendUrl: string, project: string, stack: string, timeoutMs: number): Promise<Known<readonly StackLock[]>> {
  let url: URL;
  try {
    url = new URL(backendUrl);
  } catch {
    return { known: false, reason: `the state backend's address is not a URL: ${redactBackendUrl(backendUrl)}` };
  }
  try {
    if (url.protocol === "file:") {
      const root = backendUrl.replace(/^file:\/\//, "").replace(/^~(?=$|\/)/, os.homedir());
      return { known: true, value: await fileLocks(root.split("?")[0] ?? root, project, stack) };
    }
    if (url.protocol === "postgres:" || url.protocol === "postgresql:") {
      return { known: true, value: await postgresLocks(url, project, stack, timeoutMs) };
    }
    return { known: false, reason: `locks on a ${url.protocol.replace(/:$/, "")} backend cannot be read here (file:// and postgres:// can)` };
  } catch (error) {
    return { known: false, reason: `reading the locks from ${redactBackendUrl(backendUrl)} failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
