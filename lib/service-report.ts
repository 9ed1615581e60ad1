// What the stack outputs say about one service: its strategy, what is live,
// what a rollback returns to and the commands that do it.
import type { ServiceConfig } from "../config/schema";
import { liveState, type LiveState } from "./live-state";
import { names } from "./names";
import { rollbackPlan, type RollbackContext, type RollbackPlan } from "./rollback";
import { migrationTargetVersion } from "./versions";

export interface ServiceReport {
  readonly name: string;
  readonly strategy: ServiceConfig["strategy"];
  readonly live: LiveState;
  /** What a rollback returns to; null when there is nothing to go back to. */
  readonly rollbackTarget: string | null;
  readonly rollback: RollbackPlan | null;
  readonly migration: { readonly job: string; readonly version: string; readonly kind: "expand" | "contract" } | null;
}

export function serviceReport(service: ServiceConfig, ctx: RollbackContext): ServiceReport {
  const plan = rollbackPlan(service, ctx);
  const migrationVersion = migrationTargetVersion(service);
  return {
    name: service.name,
    strategy: service.strategy,
    live: liveState(service),
    rollbackTarget: plan?.target ?? null,
    rollback: plan ?? null,
    migration:
      service.migration !== undefined && migrationVersion !== undefined
        ? {
            job: names.migrationJob(service.migration.name ?? names.defaultMigrationPrefix(service.name), migrationVersion),
            version: migrationVersion,
            kind: service.migration.kind,
          }
        : null,
  };
}
