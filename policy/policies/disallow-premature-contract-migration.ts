// A `contract` migration removes what older versions still use (a column, a
// table). It may run only once no older version serves: not while a blue-green
// standby or a canary's stable track still runs the previous version, or a
// rollback to them would land on a schema they cannot read.
import type { StackValidationPolicy } from "@pulumi/policy";
import * as semver from "semver";
import { LABELS, REPLICATED, replicas, TYPES } from "../lib/kubernetes";
import { labelOf, StackIndex } from "../lib/stack-index";

/** Is `running` a version before `migratedTo`? Versions that are not semver count as older when they differ. */
export function isOlder(running: string, migratedTo: string): boolean {
  const a = semver.valid(running);
  const b = semver.valid(migratedTo);
  if (a === null || b === null) return running !== migratedTo;
  return semver.lt(a, b);
}

export const disallowPrematureContractMigration: StackValidationPolicy = {
  name: "disallow-premature-contract-migration",
  description:
    "A contract migration (label safe-deploy.dev/migration-kind: contract) must not run while a Deployment of the same app still serves an older version (a blue-green standby, a canary's stable track). " +
    "Fix: first retire the old version (in safe-deploy: retireStandby: true, or promote the canary), then run the contract migration in a later update; or make this migration 'expand'.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const index = new StackIndex(args);
    for (const job of index.ofTypes([TYPES.job])) {
      if (labelOf(job, LABELS.migrationKind) !== "contract") continue;
      const version = labelOf(job, LABELS.version);
      const app = labelOf(job, LABELS.name);
      if (typeof version !== "string" || typeof app !== "string") continue;
      const older = index.near(job.namespace, REPLICATED).filter((workload) => {
        if (labelOf(workload, LABELS.name) !== app && labelOf(workload, LABELS.app) !== app) return false;
        const running = labelOf(workload, LABELS.version);
        const count = replicas(workload.props);
        return typeof running === "string" && typeof count === "number" && count > 0 && isOlder(running, version);
      });
      if (older.length === 0) continue;
      const serving = older.map((w) => `${w.label} (${String(labelOf(w, LABELS.version))}, ${String(replicas(w.props))} pods)`).join(", ");
      report(
        `${job.label} is a contract migration to ${version}, but ${serving} still serve${older.length === 1 ? "s" : ""} an older version: ` +
          `the migration would remove what they use, and a rollback to them would fail. ` +
          `Retire the older version first (in safe-deploy: retireStandby: true, or promote the canary), then contract in a later update.`,
        job.resource.urn,
      );
    }
  },
};
