// What the stack outputs say about one service: its strategy, what is live,
// what a rollback returns to and the commands that do it.
import type { ServiceConfig } from "../config/schema";
import { liveState, type LiveState } from "./live-state";
import { plannedMigration } from "./migration";
import { rollbackPlan, type RollbackContext, type RollbackPlan } from "./rollback";

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
  const migration = plannedMigration(service);
  return {
    name: service.name,
    strategy: service.strategy,
    live: liveState(service),
    rollbackTarget: plan?.target ?? null,
    rollback: plan ?? null,
    migration: migration === undefined ? null : { job: migration.jobName, version: migration.version, kind: migration.config.kind },
  };
}
