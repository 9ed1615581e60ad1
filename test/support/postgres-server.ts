// Debian's PostgreSQL, started by a test on 127.0.0.1 with a temporary data
// directory and trust authentication, stopped by `pg_ctl`: the team state
// backend (`PULUMI_BACKEND_URL=postgres://...`). PostgreSQL refuses to run as
// root, so as root it runs as the `postgres` user the package creates.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { freePort } from "../prometheus/local-prometheus";

const run = promisify(execFile);

/** The newest installed server's bin directory (`/usr/lib/postgresql/<major>/bin`), or undefined. */
export function postgresBinDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((major) => fs.existsSync(path.join(root, major, "bin", "initdb"))) : [];
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0];
  return newest === undefined ? undefined : path.join(root, newest, "bin");
}

export interface PostgresServer {
  /** A new database: `postgres://safe_deploy@127.0.0.1:<port>/<name>?sslmode=disable`, a backend URL with no password to hide. */
  database(name: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error("PostgreSQL is not installed (Debian package postgresql)");
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safe-deploy-postgres-"));
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    fs.chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const as = (command: string, args: readonly string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", path.join(bin, command), ...args]) : run(path.join(bin, command), [...args]);
  const data = path.join(dir, "data");
  const port = await freePort();
  await as("initdb", ["-D", data, "-A", "trust", "-U", "safe_deploy", "--no-sync", "-E", "UTF8"]);
  // -F: no fsync (throwaway data); -k: the socket in our own directory, not /var/run.
  await as("pg_ctl", ["-D", data, "-l", path.join(dir, "server.log"), "-w", "-t", "60", "-o", `-h 127.0.0.1 -p ${port} -k ${dir} -F`, "start"]);
  const stop = async (): Promise<void> => {
    await as("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const database = async (name: string): Promise<string> => {
    const { Client } = (await import("pg")).default;
    const admin = new Client({ host: "127.0.0.1", port, user: "safe_deploy", database: "postgres", connectionTimeoutMillis: 10_000 });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
    } finally {
      await admin.end();
    }
    return `postgres://safe_deploy@127.0.0.1:${port}/${name}?sslmode=disable`;
  };
  return { database, stop };
}
