// The strategies safe-deploy knows, and the one place a service's strategy is
// picked by its name. A fourth strategy is one module beside these three and
// one line in each list below.
import { z } from "zod";
import { plannedMigration, type PlannedMigration } from "../lib/migration";
import { blueGreen, type BlueGreenLive, type BlueGreenServiceConfig } from "./blue-green";
import { canary, type CanaryLive, type CanaryServiceConfig } from "./canary";
import { rolling, type RollingLive, type RollingServiceConfig } from "./rolling";
import type { Strategy } from "./strategy";

/** One service's validated config, under whichever strategy it chose. */
export type ServiceConfig = RollingServiceConfig | BlueGreenServiceConfig | CanaryServiceConfig;
/** What the `services` output reports as live for a service, under whichever strategy. */
export type LiveState = RollingLive | BlueGreenLive | CanaryLive;
export type StrategyName = ServiceConfig["strategy"];

/** Any strategy, as the registry holds it: it is only ever handed services (and live states) of its own name. */
export type AnyStrategy = Strategy<ServiceConfig, LiveState>;

const STRATEGIES: Readonly<Record<StrategyName, AnyStrategy>> = { rolling, "blue-green": blueGreen, canary };

/** Every strategy's name, in the order of the registry. */
export const STRATEGY_NAMES = Object.keys(STRATEGIES) as [StrategyName, ...StrategyName[]];

const QUOTED_NAMES = STRATEGY_NAMES.map((name) => `'${name}'`);
/** One service's settings; its name is its key under `services`. */
export const serviceSchema = z.discriminatedUnion("strategy", [rolling.schema, blueGreen.schema, canary.schema], {
  message: `strategy must be ${QUOTED_NAMES.slice(0, -1).join(", ")} or ${QUOTED_NAMES.at(-1)}`,
});

/** What a `services` output's `live` may hold: one strategy's live state. */
export const liveStateSchema = z.discriminatedUnion("strategy", [rolling.liveSchema, blueGreen.liveSchema, canary.liveSchema]);

/** The strategy of a service. */
export function strategyOf(service: ServiceConfig): AnyStrategy {
  return STRATEGIES[service.strategy];
}

/** The strategy a live state belongs to. */
export function strategyOfLive(live: LiveState): AnyStrategy {
  return STRATEGIES[live.strategy];
}

/** The migration a service's config asks for, for the newest version its strategy deploys unless configured. */
export function plannedMigrationOf(service: ServiceConfig): PlannedMigration | undefined {
  return plannedMigration(service, strategyOf(service).versionsDeployed(service));
}
