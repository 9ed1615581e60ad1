// What `analyze --stack X` needs from the stack: the canary service's config,
// parsed exactly as the program parses it (config/load.ts), and when the
// canary at its current version started, from `pulumi stack history`. Both
// through the Pulumi CLI, each bounded in time.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { parseStackConfig, rawConfigFromAll } from "../config/load";
import type { StackConfig } from "../config/schema";
import { asCanary, canaryInTraffic, type CanaryServiceConfig } from "../strategies/canary";

const execFileAsync = promisify(execFile);

export interface PulumiCli {
  /** The `pulumi` executable. @default "pulumi" on PATH */
  readonly command?: string;
  /** The project directory (where Pulumi.yaml is). @default the current directory */
  readonly cwd?: string;
  /** Milliseconds each CLI call may take. @default 30000 */
  readonly timeoutMs?: number;
  /** Extra environment (backend, passphrase). @default {} */
  readonly env?: Readonly<Record<string, string>>;
}

async function pulumiJson(cli: PulumiCli, args: readonly string[]): Promise<unknown> {
  const timeout = cli.timeoutMs ?? 30_000;
  try {
    const { stdout } = await execFileAsync(cli.command ?? "pulumi", [...args, "--json", "--non-interactive"], {
      cwd: cli.cwd,
      env: { ...process.env, ...cli.env },
      timeout,
      maxBuffer: 64 * 2 ** 20,
    });
    return JSON.parse(stdout) as unknown;
  } catch (error) {
    const e = error as { killed?: boolean; stderr?: string; message?: string };
    if (e.killed === true) throw new Error(`pulumi ${args.join(" ")} did not finish within ${timeout} ms`);
    throw new Error(`pulumi ${args.join(" ")} failed: ${(e.stderr ?? e.message ?? String(error)).trim()}`);
  }
}

/** `pulumi config --json` and a history entry's `config` hold `{ value }` per key (or a bare string). */
function asAllConfig(config: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries((config ?? {}) as Record<string, unknown>)) {
    const value = typeof entry === "object" && entry !== null ? (entry as { value?: unknown }).value : entry;
    if (typeof value === "string") out[key] = value;
  }
  return out;
}

/** The service named `name` of a parsed stack config, which must be a canary. */
export function canaryService(config: StackConfig, name: string, stack: string): CanaryServiceConfig {
  const service = config.services.find((s) => s.name === name);
  if (service === undefined) throw new Error(`stack ${stack} has no service '${name}' (it has ${config.services.map((s) => s.name).join(", ")})`);
  const canary = asCanary(service);
  if (canary === undefined) throw new Error(`service '${name}' of stack ${stack} is ${service.strategy}, not a canary: there is nothing to analyze`);
  return canary;
}

/** The stack's config as the program parses it. */
export async function readStackConfig(stack: string, cli: PulumiCli = {}): Promise<StackConfig> {
  return parseStackConfig(rawConfigFromAll(asAllConfig(await pulumiJson(cli, ["config", "--stack", stack]))));
}

interface HistoryEntry {
  readonly kind?: string;
  readonly result?: string;
  readonly startTime?: string;
  readonly endTime?: string;
  readonly config?: unknown;
}

/** The canary version and weight an update deployed, or undefined if it had none (or its config does not parse). */
function canaryOf(entry: HistoryEntry, name: string): { version: string; weight: number } | undefined {
  try {
    const found = parseStackConfig(rawConfigFromAll(asAllConfig(entry.config))).services.find((s) => s.name === name);
    const service = found === undefined ? undefined : asCanary(found);
    const version = service === undefined ? undefined : canaryInTraffic(service);
    return service === undefined || version === undefined ? undefined : { version, weight: service.canaryWeight };
  } catch {
    return undefined;
  }
}

/**
 * When the canary started, Unix seconds: the end of the earliest update, in
 * the latest unbroken run of successful updates that deployed this canary
 * version with traffic (a weight step keeps the canary; a new version or an
 * abort starts over). `pulumi stack history` lists the newest first.
 */
export function canaryStartFromHistory(history: readonly HistoryEntry[], name: string, version: string): number | undefined {
  let start: number | undefined;
  for (const entry of history) {
    if (entry.kind !== undefined && entry.kind !== "update") continue;
    if (entry.result !== "succeeded") continue;
    if (canaryOf(entry, name)?.version !== version) break;
    const at = Date.parse(entry.endTime ?? entry.startTime ?? "");
    if (Number.isFinite(at)) start = at / 1000;
  }
  return start;
}

export async function readCanaryStart(stack: string, name: string, version: string, cli: PulumiCli = {}): Promise<number | undefined> {
  const history = await pulumiJson(cli, ["stack", "history", "--stack", stack]);
  return canaryStartFromHistory(Array.isArray(history) ? (history as HistoryEntry[]) : [], name, version);
}
