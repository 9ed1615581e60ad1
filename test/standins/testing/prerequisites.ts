// What the cluster and engine tests need: the toolchain (else they skip, loudly) and one local cluster per test file.
import { afterAll, beforeAll } from "vitest";
import { startLocalCluster, type LocalCluster } from "../../../tools/cluster/local-cluster";
import { CLUSTER_PIECES, END_TO_END_PIECES, ENSURE_COMMAND, toolchainPresent, type ToolchainPiece } from "../../../tools/toolchain/paths";

/** Whether the pieces are installed; warns loudly (naming them and the install command) when not. */
export function toolchainReady(what: string, pieces: readonly ToolchainPiece[]): boolean {
  const status = toolchainPresent(pieces);
  if (!status.ok) {
    console.warn(
      `\n*** SKIPPED: ${what} need(s) ${status.missing.join(", ")} (not installed).\n*** ${status.message}\n*** Run: ${ENSURE_COMMAND}\n`,
    );
  }
  return status.ok;
}

export const clusterReady = (what: string): boolean => toolchainReady(what, CLUSTER_PIECES);
export const engineReady = (what: string): boolean => toolchainReady(what, END_TO_END_PIECES);

/** Starts a local cluster before the enclosing describe's tests and stops it after; call inside the describe. */
export function useLocalCluster(): () => LocalCluster {
  let cluster: LocalCluster | undefined;
  beforeAll(async () => {
    cluster = await startLocalCluster();
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return () => {
    if (cluster === undefined) throw new Error("the local cluster did not start (see beforeAll)");
    return cluster;
  };
}
