// What the cluster and engine tests need: the toolchain (else they skip, loudly) and one local cluster per test file.
import { afterAll, beforeAll } from "vitest";
import { startLocalCluster, type LocalCluster } from "../../../tools/cluster/local-cluster";

export { clusterReady, engineReady, toolchainReady } from "../../../tools/toolchain/gate";

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
