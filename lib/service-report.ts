// What the stack outputs say about one service: its strategy, what is live,
// what a rollback returns to and the commands that do it.
import type { RollbackContext, RollbackPlan } from "./rollback";
import { plannedMigrationOf, strategyOf, type LiveState, type ServiceConfig } from "../strategies/registry";

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
  const strategy = strategyOf(service);
  const plan = strategy.rollbackPlan(service, ctx);
  const migration = plannedMigrationOf(service);
  return {
    name: service.name,
    strategy: service.strategy,
    live: strategy.live(service),
    rollbackTarget: plan?.target ?? null,
    rollback: plan ?? null,
    migration: migration === undefined ? null : { job: migration.jobName, version: migration.version, kind: migration.config.kind },
  };
}
