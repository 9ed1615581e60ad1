// A cluster's processes outlive an owner that is killed with SIGKILL (a CI
// runner cancelled, a test worker killed): no handler runs then. Each
// cluster directory records its owner and its processes, so a later
// `cli.ts sweep` can stop what was left behind.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ComponentRecord } from "./processes";
import { isRunning, stopComponents } from "./processes";

const RECORD = "owner.json";
/** Prefix of the temporary directories startLocalCluster makes. */
export const CLUSTER_DIR_PREFIX = "safe-deploy-cluster-";

export interface OwnerRecord {
  readonly ownerPid: number;
  /** Detached clusters belong to `cli.ts start`'s state file, not to their (exited) starter. */
  readonly detached: boolean;
  readonly components: readonly ComponentRecord[];
}

export function writeOwnerRecord(dir: string, record: OwnerRecord): void {
  fs.writeFileSync(path.join(dir, RECORD), `${JSON.stringify(record, null, 2)}\n`);
}

function readOwnerRecord(dir: string): OwnerRecord | undefined {
  try {
    // Written only by writeOwnerRecord above.
    return JSON.parse(fs.readFileSync(path.join(dir, RECORD), "utf8")) as OwnerRecord;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Stops the processes of attached clusters under `parentDir` whose owner
 * process is gone, and removes their directories. Returns those directories.
 * @default parentDir os.tmpdir()
 */
export async function sweepOrphanedClusters(parentDir: string = os.tmpdir()): Promise<string[]> {
  const swept: string[] = [];
  for (const name of fs.readdirSync(parentDir)) {
    if (!name.startsWith(CLUSTER_DIR_PREFIX)) continue;
    const dir = path.join(parentDir, name);
    const record = readOwnerRecord(dir);
    if (record === undefined || record.detached || alive(record.ownerPid)) continue;
    await stopComponents(record.components.filter(isRunning));
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    swept.push(dir);
  }
  return swept;
}
