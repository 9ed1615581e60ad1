// Taking a release back: traffic first, with the quick command the released
// config prints (the stack outputs still describe the update before), and at
// the same moment the service's config set to where it goes back, so that a
// runner lost right after the quick command leaves a config that says so;
// then the update that makes the stack agree, with its message in the history.
import { parseStackConfig, rawConfigFromAll } from "../config/load";
import { strategyOf, type ServiceConfig } from "../strategies/registry";
import { runEngine, type EngineRun } from "./engine-run";
import { readConfigValues, type OpenedStack } from "./open-stack";
import { applyServiceConfig, type ConfigChanges } from "./rollback-target";
import { shell } from "./shell";

export interface TakeBack {
  /** The quick command, run as printed; null when none reaches the version before (the update alone takes it back). */
  readonly quick: { readonly command: string; readonly ok: boolean; readonly seconds: number; readonly output: string } | null;
  readonly update: EngineRun;
}

export async function takeBack(
  opened: OpenedStack,
  released: ServiceConfig,
  back: ConfigChanges,
  options: { readonly timeoutMs: number; readonly progress: (line: string) => void; readonly message: string },
): Promise<TakeBack> {
  const { stack } = opened;
  const startedAt = Date.now();
  const config = parseStackConfig(rawConfigFromAll(opened.config));
  const plan = strategyOf(released).rollbackPlan(released, { namespace: config.namespace, stack: stack.name, environment: opened.environment });
  if (plan !== undefined) options.progress(`${released.name}: traffic back to ${plan.target}: ${plan.quick}`);
  const [quick] = await Promise.all([
    plan === undefined
      ? null
      : shell(plan.quick, options.timeoutMs).then((ran) => ({ command: plan.quick, ok: ran.ok, seconds: Math.round((Date.now() - startedAt) / 100) / 10, output: ran.output })),
    applyServiceConfig(stack, released.name, back),
  ]);
  const now = await readConfigValues(stack);
  const update = await runEngine({ ...opened, config: now }, "up", { timeoutMs: Math.max(1, options.timeoutMs - (Date.now() - startedAt)), progress: options.progress, message: options.message });
  return { quick, update };
}

/** The take-back's quick command in a line: how long traffic took to come back, or why it did not. */
export function formatQuick(quick: NonNullable<TakeBack["quick"]>): string {
  return `traffic back: ${quick.ok ? `${quick.seconds} s` : `failed: ${quick.output}`} (${quick.command})`;
}
