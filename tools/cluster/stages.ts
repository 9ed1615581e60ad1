// The kwok stage configs the local cluster runs with: kwok's own (node
// initialize and heartbeat, pod ready, Job pod complete, pod delete, copied
// into the cache by ensure.sh) and ours, committed next to this file.
import * as fs from "node:fs";
import * as path from "node:path";
import { kwokStageDir } from "../toolchain/paths";

/**
 * Label a pod template with `safe-deploy.dev/fail: "true"` and kwok fails its
 * running pods (containers exit 1, phase Failed): a migration Job that fails
 * on demand. See stages/pod-fail-labelled.yaml.
 */
export const FAIL_POD_LABEL = "safe-deploy.dev/fail";

/**
 * Label a pod template with `safe-deploy.dev/slow-ready: "true"` and kwok
 * makes its new pods Ready only after 3 s. See stages/pod-ready-slow-labelled.yaml.
 */
export const SLOW_READY_POD_LABEL = "safe-deploy.dev/slow-ready";

/** kwok's stage files in the order ensure.sh copies them. */
export const KWOK_STAGE_FILES = [
  "node-initialize.yaml",
  "node-heartbeat.yaml",
  "pod-ready.yaml",
  "pod-complete.yaml",
  "pod-delete.yaml",
] as const;

/** Our own stages, under tools/cluster/stages/. */
export const OWN_STAGE_FILES = ["pod-fail-labelled.yaml", "pod-ready-slow-labelled.yaml"] as const;

/** Absolute paths of every stage file, for kwok's `--config`. Throws naming any that is missing. */
export function stageConfigFiles(): string[] {
  const files = [
    ...KWOK_STAGE_FILES.map((name) => path.join(kwokStageDir(), name)),
    ...OWN_STAGE_FILES.map((name) => path.join(__dirname, "stages", name)),
  ];
  const missing = files.filter((file) => !fs.existsSync(file));
  if (missing.length > 0) {
    throw new Error(`kwok stage configs missing: ${missing.join(", ")} (run: bash tools/toolchain/ensure.sh)`);
  }
  return files;
}
