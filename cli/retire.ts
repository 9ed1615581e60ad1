// `safe-deploy retire SERVICE`: takes down what the last release kept for an
// instant way back (blue-green's standby slot), and only once the runbook's
// retention has passed since the version now serving took traffic: until
// then a switch-back is a selector patch, not a rollout. A shorter retention
// is said on the command line, and the output says it was.
import { parseStackConfig, rawConfigFromAll } from "../config/load";
import { strategyOf } from "../strategies/registry";
import { runEngine, type EngineRun, type Outcome } from "./engine-run";
import { serviceHistory } from "./history";
import { CommandInputError, readConfigValues, type OpenedStack } from "./open-stack";
import { applyServiceConfig, changesOf, configChanges, serviceRaw } from "./rollback-target";

/** The runbook's: keep the old version running 30 minutes after the switch. */
export const DEFAULT_RETENTION_MINUTES = 30;

export interface RetireRun {
  readonly service: string;
  readonly stack: string;
  readonly outcome: Outcome;
  readonly what: string;
  /** When the version now serving took traffic (the update that brought it in ended), and the retention counted from it. */
  readonly servingSince: string;
  readonly retentionMinutes: number;
  readonly update: EngineRun;
}

export async function retireStandby(opened: OpenedStack, service: string, options: { readonly timeoutMs: number; readonly retentionMinutes?: number; readonly now?: Date }): Promise<RetireRun> {
  const { stack } = opened;
  const spec = parseStackConfig(rawConfigFromAll(opened.config)).services.find((s) => s.name === service);
  if (spec === undefined) throw new CommandInputError(`stack ${stack.name} has no service '${service}' under safe-deploy:services`);
  const strategy = strategyOf(spec);
  const retire = strategy.retireStep(spec);
  if ("nothing" in retire) throw new CommandInputError(`${service} has nothing to retire: ${retire.nothing}`);

  const serving = strategy.releaseVersions(spec).version;
  const rows = serviceHistory(await stack.history(), service);
  // The update that brought the serving version into traffic: the newest that went through and changed it.
  const switched = rows.find((row) => row.kind === "update" && row.result === "succeeded" && row.version === serving && row.change !== "unchanged");
  if (switched === undefined) {
    throw new CommandInputError(`when ${service} ${serving} took traffic is not in the stack history of ${stack.name}: the standby stays (nothing was changed)`);
  }
  const retentionMinutes = options.retentionMinutes ?? DEFAULT_RETENTION_MINUTES;
  const until = new Date(Date.parse(switched.endedAt) + retentionMinutes * 60_000);
  const now = options.now ?? new Date();
  if (now < until) {
    const ago = Math.floor((now.getTime() - Date.parse(switched.endedAt)) / 60_000);
    throw new CommandInputError(
      `${service} ${serving} took traffic at ${switched.endedAt} (update ${switched.update}), ${ago} min ago: the standby stays for the retention of ${retentionMinutes} min, ` +
        `until ${until.toISOString()}, so that a way back stays a selector patch; retire it then (or say a shorter retention with --retention-minutes)`,
    );
  }

  await applyServiceConfig(stack, service, changesOf(retire.step));
  const retired = await readConfigValues(stack);
  const update = await runEngine({ ...opened, config: retired }, "up", { timeoutMs: options.timeoutMs });
  // Refused, nothing changed: the config says again what runs.
  if (update.outcome === "refused") await applyServiceConfig(stack, service, configChanges(serviceRaw(retired, service), serviceRaw(opened.config, service)));
  return { service, stack: stack.name, outcome: update.outcome, what: retire.step.what, servingSince: switched.endedAt, retentionMinutes, update };
}

export function formatRetire(run: RetireRun, formatRun: (run: EngineRun) => string): string {
  return (
    `retire of ${run.service} on stack ${run.stack}: ${run.outcome}: ${run.what} (serving since ${run.servingSince}, retention ${run.retentionMinutes} min)\n` +
    formatRun(run.update)
  );
}
