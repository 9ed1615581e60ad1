// `safe-deploy rollback SERVICE`: traffic back first, with the quick command
// the stack outputs print; then the stack into agreement, with the config
// change the printed Pulumi-native line makes (the strategy's own, from
// strategies/) and an update the pack judges; then the printed verify
// command. It reports the time until the quick command had moved traffic back
// and the time until the stack agreed.
import { RegistryClient, repositoryOf } from "../checklist/sources/registry";
import { parseStackConfig, rawConfigFromAll } from "../config/load";
import type { StackConfig } from "../config/schema";
import type { RollbackPlan } from "../lib/rollback";
import { readOutput } from "../lib/stack-outputs";
import { strategyOf, type ServiceConfig } from "../strategies/registry";
import { runEngine, type EngineRun, type Outcome } from "./engine-run";
import { CommandInputError, type OpenedStack } from "./open-stack";
import { applyServiceConfig, changesOf, configChanges, earlierConfig, serviceRaw, type ConfigChanges, type EarlierConfig } from "./rollback-target";
import { shell } from "./shell";

export interface RollbackRun {
  readonly service: string;
  readonly stack: string;
  readonly target: string;
  readonly outcome: Outcome;
  /** The quick command as printed, and how long it took to move traffic back (seconds). */
  readonly quick: { readonly command: string; readonly seconds: number; readonly ok: boolean; readonly output: string };
  /** The stack's update, once its config was set back. */
  readonly update?: EngineRun;
  /** Seconds from the start until the stack agreed with the cluster. */
  readonly agreedSeconds?: number;
  /** The printed verify command's output, and what it should show. */
  readonly verify?: { readonly command: string; readonly output: string; readonly expect: string };
}

const seconds = (since: number): number => Math.round((Date.now() - since) / 100) / 10;

export interface RollbackOptions {
  readonly timeoutMs: number;
  /** An earlier update (its number) or version to go back to. @default the rollback target the outputs name */
  readonly to?: string;
  readonly progress?: (line: string) => void;
}

/** The config changes under `services.<name>` that take the service back, and whether the quick command reaches the same place. */
interface Way {
  readonly target: string;
  readonly changes: ConfigChanges;
  readonly quickReachesIt: boolean;
}

/**
 * Whether `image:version` is in the registry the checklist reads, when one is
 * configured (`checklist.registry`), within the checklist's bound; throws,
 * saying why, when it is not there or that cannot be told.
 */
export async function rollbackImageThere(checklist: StackConfig["checklist"], image: string, version: string, timeoutMs: number): Promise<void> {
  const registry = checklist?.registry;
  if (checklist === undefined || registry === undefined) return;
  const client = new RegistryClient(registry.url, { username: registry.username, password: registry.password, token: registry.token });
  const signal = AbortSignal.timeout(Math.min(timeoutMs, checklist.timeoutSeconds * 1000));
  let found: boolean;
  try {
    found = (await client.lookup(repositoryOf(image), version, "rollback target", signal)).present;
  } catch (error) {
    throw new CommandInputError(`whether ${image}:${version} is in the registry at ${registry.url} is unknown (${signal.aborted ? "no answer in time" : error instanceof Error ? error.message : String(error)}): nothing was changed`);
  }
  if (!found) throw new CommandInputError(`${image}:${version} is not in the registry at ${registry.url}: a rollback to it would fail to pull; nothing was changed`);
}

export async function rollbackService(opened: OpenedStack, service: string, options: RollbackOptions): Promise<RollbackRun> {
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { stack } = opened;
  const services = readOutput("services", (await stack.outputs())["services"]?.value, stack.name);
  if (!services.known) throw new CommandInputError(`the stack's outputs do not say how ${service} rolls back: ${services.reason}`);
  const report = services.value[service];
  if (report === undefined) throw new CommandInputError(`stack ${stack.name} has no service '${service}' (it has ${Object.keys(services.value).join(", ")})`);
  const plan = report.rollback;
  const all = opened.config;
  const config = parseStackConfig(rawConfigFromAll(all));
  const spec = config.services.find((s) => s.name === service);
  if (spec === undefined) throw new CommandInputError(`the stack config of ${stack.name} no longer has ${service}; run safe-deploy up --stack ${stack.name} first`);
  const way = await wayBack(opened, spec, plan, all, config, options);

  const started = Date.now();
  let quick: RollbackRun["quick"] = { command: "", seconds: 0, ok: true, output: "no quick command reaches it" };
  if (way.quickReachesIt && plan !== null) {
    progress(`${service}: traffic back to ${way.target} with the quick command: ${plan.quick}`);
    const quickRan = await shell(plan.quick, options.timeoutMs);
    quick = { command: plan.quick, seconds: seconds(started), ok: quickRan.ok, output: quickRan.output };
    if (!quickRan.ok) return { service, stack: stack.name, target: way.target, quick, outcome: "failed" };
    progress(`${service}: traffic back in ${quick.seconds} s`);
  }
  const base = { service, stack: stack.name, target: way.target, quick };
  progress(`${service}: now the stack: ${[...Object.entries(way.changes.set).map(([key, value]) => `services.${service}.${key}=${value}`), ...way.changes.remove.map((key) => `no services.${service}.${key}`)].join(", ")}`);
  await applyServiceConfig(stack, service, way.changes);
  const update = await runEngine(opened, "up", { timeoutMs: Math.max(1, options.timeoutMs - (Date.now() - started)), progress });
  const agreedSeconds = seconds(started);
  if (update.outcome !== "succeeded") return { ...base, outcome: update.outcome, update, agreedSeconds };
  // The printed verify reaches the rollback target the outputs named; another target is verified by the update's own checks.
  if (!way.quickReachesIt || plan === null) return { ...base, outcome: "succeeded", update, agreedSeconds };
  const verified = await shell(plan.verify, options.timeoutMs);
  return {
    ...base,
    outcome: verified.ok ? "succeeded" : "failed",
    update,
    agreedSeconds,
    verify: { command: plan.verify, output: verified.output, expect: plan.expect },
  };
}

/** The way back: to the rollback target the outputs name (the strategy's own change), or to an earlier update's config. */
async function wayBack(
  opened: OpenedStack,
  spec: ServiceConfig,
  plan: RollbackPlan | null,
  all: Readonly<Record<string, string>>,
  config: StackConfig,
  options: RollbackOptions,
): Promise<Way> {
  const { stack } = opened;
  const strategy = strategyOf(spec);
  if (options.to === undefined) {
    const restore = strategy.rollbackRestore(spec);
    if (plan === null || restore === undefined) {
      throw new CommandInputError(`${spec.name} has no rollback target in stack ${stack.name}: there is nothing to go back to (safe-deploy history ${spec.name} --stack ${stack.name} lists what it ran; --to takes one of them)`);
    }
    return { target: plan.target, changes: changesOf({ set: restore }), quickReachesIt: true };
  }
  let earlier: EarlierConfig;
  try {
    earlier = earlierConfig(await stack.history(), spec.name, options.to);
  } catch (error) {
    throw new CommandInputError(`${spec.name} cannot go back to ${options.to}: ${error instanceof Error ? error.message : String(error)}`);
  }
  await rollbackImageThere(config.checklist, earlier.image, earlier.version, options.timeoutMs);
  const now = serviceRaw(all, spec.name);
  const changes = configChanges(now, earlier.raw);
  if (Object.keys(changes.set).length === 0 && changes.remove.length === 0) throw new CommandInputError(`${spec.name}'s config is already the one of update ${earlier.update} (${earlier.version})`);
  // The quick command reaches only the rollback target the outputs name.
  const quickReachesIt = plan !== null && strategy.releaseVersions(spec).previousVersion === earlier.version;
  return { target: `${earlier.version} (the config of update ${earlier.update})`, changes, quickReachesIt };
}

export function formatRollback(run: RollbackRun): string {
  const lines = [`rollback of ${run.service} on stack ${run.stack} to ${run.target}: ${run.outcome}`];
  if (run.quick.command === "") lines.push(`  traffic back: with the update (${run.quick.output})`);
  else lines.push(`  traffic back: ${run.quick.ok ? `${run.quick.seconds} s` : `no: ${run.quick.output}`} (${run.quick.command})`);
  if (run.agreedSeconds !== undefined) lines.push(`  stack in agreement: ${run.update?.outcome === "succeeded" ? `${run.agreedSeconds} s` : `no, the update ${run.update?.outcome ?? "did not run"}`}`);
  for (const finding of run.update?.policy ?? []) lines.push(`  policy ${finding.policy} (${finding.level}): ${finding.message}`);
  if (run.verify !== undefined) lines.push(`  verify (expect ${run.verify.expect}): ${(run.verify.output || "(nothing)").split("\n").join("\n    ")}`);
  return `${lines.join("\n")}\n`;
}
