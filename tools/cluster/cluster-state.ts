// The record of a detached cluster (`cli.ts start`), so that `status` and
// `stop` in later processes find its kubeconfig and its pids.
import * as fs from "node:fs";
import * as path from "node:path";
import { toolchainCache } from "../toolchain/paths";
import type { LocalClusterTimings } from "./local-cluster";
import type { ComponentRecord } from "./processes";
import { isRunning, stopComponents } from "./processes";

export interface ClusterState {
  readonly dir: string;
  readonly kubeconfigPath: string;
  readonly server: string;
  readonly components: readonly ComponentRecord[];
  readonly timings: LocalClusterTimings;
  /** ISO time. */
  readonly startedAt: string;
}

/** `$CACHE/cluster/state.json`. */
export function clusterStateFile(): string {
  return path.join(toolchainCache(), "cluster", "state.json");
}

export function readClusterState(): ClusterState | undefined {
  const file = clusterStateFile();
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const value: unknown = JSON.parse(text);
  if (!isClusterState(value)) throw new Error(`${file} is not a cluster state file; remove it by hand`);
  return value;
}

export function writeClusterState(state: ClusterState): void {
  const file = clusterStateFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}

/** The recorded components that no longer run. */
export function deadComponents(state: ClusterState): ComponentRecord[] {
  return state.components.filter((component) => !isRunning(component));
}

/** Stops the recorded processes (only those still running the recorded executable), removes the dir and the record. */
export async function stopRecordedCluster(state: ClusterState): Promise<void> {
  await stopComponents(state.components);
  fs.rmSync(state.dir, { recursive: true, force: true, maxRetries: 3 });
  fs.rmSync(clusterStateFile(), { force: true });
}

function isClusterState(value: unknown): value is ClusterState {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v["dir"] === "string" &&
    typeof v["kubeconfigPath"] === "string" &&
    typeof v["server"] === "string" &&
    Array.isArray(v["components"]) &&
    v["components"].every(
      (c: unknown) =>
        typeof c === "object" &&
        c !== null &&
        typeof (c as Record<string, unknown>)["pid"] === "number" &&
        typeof (c as Record<string, unknown>)["exe"] === "string",
    )
  );
}
