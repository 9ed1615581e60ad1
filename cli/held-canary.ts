// `safe-deploy promote SERVICE` and `abort SERVICE`: a person's decision on a
// canary a release holds at its share (the analysis could not decide, or they
// know better). Promote runs the release's last step now: the stable track
// runs the canary's version, the canary track goes. Abort takes the canary
// out of traffic at once (the quick command, with the config at weight 0 set
// beside it), then the update that records it; the canary's version stays in
// the config beside weight 0, so a rerun of its release is refused unless
// said again. Each is an update the pack judges, its message saying who
// decided what.
import { formatUpdateMessage } from "../lib/update-messages";
import { strategyOf } from "../strategies/registry";
import { runEngine, type EngineRun, type Outcome } from "./engine-run";
import { CommandInputError, readConfigValues, type OpenedStack } from "./open-stack";
import { releaseNotifier } from "./release-notices";
import { serviceSpec } from "./release";
import { applyServiceConfig, changesOf, configChanges, serviceRaw } from "./rollback-target";
import { formatQuick, takeBack, type TakeBack } from "./take-back";

export interface HeldCanaryRun {
  readonly service: string;
  readonly stack: string;
  readonly action: "promote" | "abort";
  readonly version: string;
  readonly what: string;
  readonly outcome: Outcome;
  /** Abort: the quick command, then the update. */
  readonly undo?: TakeBack;
  /** Promote: its update. */
  readonly update?: EngineRun;
}

export async function actOnHeldCanary(
  opened: OpenedStack,
  service: string,
  action: "promote" | "abort",
  options: { readonly timeoutMs: number; readonly reason?: string; readonly progress?: (line: string) => void },
): Promise<HeldCanaryRun> {
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { stack } = opened;
  const spec = serviceSpec(opened.config, stack.name, service);
  const held = strategyOf(spec).heldCanary(spec);
  if ("nothing" in held) throw new CommandInputError(`nothing to ${action}: ${held.nothing}`);
  const step = held[action];
  const message = formatUpdateMessage({ command: action, service, version: held.version, what: step.what, ...(options.reason === undefined ? {} : { byHand: options.reason }) });
  const notify = releaseNotifier(opened, service, held.version, progress);
  const base = { service, stack: stack.name, action, version: held.version, what: step.what };
  progress(`${service}: ${step.what}`);
  if (action === "abort") {
    const undo = await takeBack(opened, spec, changesOf(step), { timeoutMs: options.timeoutMs, progress, message });
    await notify("aborted", { reason: `by hand${options.reason === undefined ? "" : `: ${options.reason}`}` });
    return { ...base, outcome: undo.update.outcome, undo };
  }
  await applyServiceConfig(stack, service, changesOf(step));
  const config = await readConfigValues(stack);
  const update = await runEngine({ ...opened, config }, "up", { timeoutMs: options.timeoutMs, progress, message, readChecklist: true });
  // Refused, nothing changed: the config says again what runs.
  if (update.outcome === "refused") await applyServiceConfig(stack, service, configChanges(serviceRaw(config, service), serviceRaw(opened.config, service)));
  await notify(update.outcome === "succeeded" ? "success" : "failure", update.outcome === "succeeded" ? {} : { reason: `promotion: ${update.errors[0] ?? update.outcome}` });
  return { ...base, outcome: update.outcome, update };
}

export function formatHeldCanary(run: HeldCanaryRun, formatRun: (run: EngineRun) => string): string {
  const lines = [`${run.action} of ${run.service} ${run.version} on stack ${run.stack}: ${run.outcome}: ${run.what}`];
  if (run.undo?.quick != null) lines.push(`  ${formatQuick(run.undo.quick)}`);
  const update = run.undo?.update ?? run.update;
  if (update !== undefined) lines.push(...formatRun(update).trimEnd().split("\n").map((line) => `  ${line}`));
  return `${lines.join("\n")}\n`;
}
