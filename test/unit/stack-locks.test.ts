import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lockAdvice, readStackLocks, redactBackendUrl } from "../../cli/stack-locks";

/** A pid that ran and is gone: a child that exited. */
function deadPid(): number {
  const ran = spawnSync(process.execPath, ["-e", ""]);
  return ran.pid;
}

describe("a stack's locks, read from a file backend as the engine writes them", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "locks-"));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const dir = path.join(root, ".pulumi", "locks", "organization", "safe-deploy", "production");
  const write = (name: string, lock: object) => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(lock));
  };

  it("is none when the stack was never locked", async () => {
    expect(await readStackLocks(`file://${root}`, "safe-deploy", "production", 1000)).toEqual({ known: true, value: [] });
  });

  it("tells a holder that runs on this host from one that is gone, and one on another host from both", async () => {
    const at = "2026-12-03T14:14:10.942325402Z";
    write("a", { pid: process.pid, username: "ana", hostname: os.hostname(), timestamp: at });
    write("b", { pid: deadPid(), username: "ci", hostname: os.hostname(), timestamp: at });
    write("c", { pid: 4242, username: "runner", hostname: "gone-runner-7", timestamp: at });
    const read = await readStackLocks(`file://${root}`, "safe-deploy", "production", 1000);
    expect(read.known).toBe(true);
    const locks = read.known ? [...read.value].sort((x, y) => x.user.localeCompare(y.user)) : [];
    expect(locks.map((lock) => [lock.user, lock.holder, lock.since])).toEqual([
      ["ana", "alive", "2026-12-03T14:14:10Z"],
      ["ci", "gone", "2026-12-03T14:14:10Z"],
      ["runner", "unknown", "2026-12-03T14:14:10Z"],
    ]);
    expect(locks.map((lock) => lockAdvice("production", lock))).toEqual([
      `locked by ana@${os.hostname()} (pid ${process.pid}) since 2026-12-03T14:14:10Z: an update runs; wait for it`,
      expect.stringContaining("that process is gone (a hard kill?); safe-deploy resume --stack production brings the stack back"),
      "locked by runner@gone-runner-7 (pid 4242) since 2026-12-03T14:14:10Z, on another host: if that host or CI runner is gone, safe-deploy resume --stack production --holder-gone gone-runner-7",
    ]);
  });

  it("is unknown, with why, for a blob that is not a lock or a backend it cannot read, and hides a password", async () => {
    write("d", { pid: "not a number" });
    const bad = await readStackLocks(`file://${root}`, "safe-deploy", "production", 1000);
    expect(bad).toMatchObject({ known: false, reason: expect.stringContaining("d.json is not a lock the engine writes") });
    expect(await readStackLocks("s3://bucket/state", "safe-deploy", "production", 1000)).toMatchObject({ known: false, reason: expect.stringContaining("locks on a s3 backend cannot be read here") });
    const unreachable = await readStackLocks("postgres://ops:hunter2@127.0.0.1:1/state?sslmode=disable", "safe-deploy", "production", 1000);
    expect(unreachable.known).toBe(false);
    expect(JSON.stringify(unreachable)).not.toContain("hunter2");
    expect(redactBackendUrl("postgres://ops:hunter2@db:5432/state")).toBe("postgres://ops:****@db:5432/state");
  });
});
