// Runs a command line exactly as the stack outputs print it, the way an
// operator pastes it into a shell without a terminal (a CI job, a runbook
// script): `kubectl ...`, `pulumi config set ...` and `pulumi config set-all ...`
// through /bin/sh with the cluster's kubeconfig and the rehearsal's Pulumi
// environment. `pulumi up` runs as printed too, through /bin/sh and the real
// CLI (its flag checks, its preview pass and its update in one process), with
// one flag added: the Node.js language host cannot be built here, so the CLI
// reaches the same program, served in this process, through `--client`
// (inline-language-host.ts). Its flags are first checked as the CLI checks
// them (parsePulumiUp), so what this runner cannot honour is refused.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { program } from "../../program";
import type { EngineStack } from "./engine";
import { tailEventLog } from "./event-log";
import { withInlineLanguageHost } from "./inline-language-host";

const execFileAsync = promisify(execFile);

export interface CommandStep {
  readonly command: string;
  readonly ms: number;
  readonly stdout: string;
  /** `shell`: run as printed; `pulumi-up`: run as printed, with the in-process language host's `--client` added. */
  readonly ranAs: "shell" | "pulumi-up";
  /** For `pulumi-up` steps: what the CLI does for its flags. */
  readonly operation?: PulumiUpOperation;
}

/** The `&&`-joined parts of a printed command line (our commands never nest `&&` in quotes). */
export function commandParts(line: string): string[] {
  return line.split(" && ").map((part) => part.trim());
}

/**
 * What the CLI does for a `pulumi up` line without a terminal: `--yes` runs a
 * preview pass and then the update (`preview-then-up`); `--skip-preview` only
 * the update (`up`); `--preview-only` only the preview.
 */
export type PulumiUpOperation = "preview-then-up" | "up" | "preview";

/** What a `pulumi up` part asks for, once its flags passed the CLI's checks. */
export interface PulumiUpPlan {
  readonly stack: string;
  readonly operation: PulumiUpOperation;
}

/** What the Pulumi CLI prints, and exits 1 with, for `pulumi up` in a shell without a terminal and without these flags. */
export const NON_INTERACTIVE_UP_ERROR =
  "error: --yes or --skip-preview or --preview-only must be passed in to proceed when running in non-interactive mode";

const KNOWN_FLAGS = "--stack X, -s X, --stack=X, --yes, -y, --skip-preview, -f, --preview-only, --policy-pack X, --policy-pack-config X";
// A token the runner can take literally: no quoting, expansion or redirection for it to get wrong.
const PLAIN_TOKEN = /^[A-Za-z0-9_.\/:=@-]+$/;

/** True when the part is a `pulumi up` command (which parsePulumiUp then checks). */
export function isPulumiUp(command: string): boolean {
  return /^pulumi\s+up(\s|$)/.test(command.trim());
}

/**
 * Checks a `pulumi up` part's flags in the order the CLI does (flag parsing,
 * then the non-interactive check, then the flag combinations), as a shell
 * without a terminal would run it, and says what to run. Throws with the
 * CLI's own message where the CLI fails, and refuses whatever this runner
 * cannot honour (any other flag, an argument, shell syntax) rather than
 * ignore it. PULUMI_SKIP_CONFIRMATIONS, which the CLI also reads, is not
 * honoured on purpose: the line must work as printed, in an operator's shell.
 */
export function parsePulumiUp(command: string): PulumiUpPlan {
  function refuse(why: string): never {
    throw new Error(`refusing to run '${command}': ${why}`);
  }
  // Shaped as runCommandLine reports a shell part that failed: the CLI's stderr.
  function fail(cliError: string): never {
    throw new Error(`'${command}' failed: ${cliError}`);
  }
  const tokens = command.trim().split(/\s+/);
  if (tokens[0] !== "pulumi" || tokens[1] !== "up") refuse("not a pulumi up command");
  const unplain = tokens.find((token) => !PLAIN_TOKEN.test(token));
  if (unplain !== undefined) refuse(`'${unplain}' has shell syntax this runner does not interpret`);
  const stacks: string[] = [];
  let yes = false;
  let skipPreview = false;
  let previewOnly = false;
  for (let i = 2; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === "--stack" || token === "-s") {
      const value = tokens[i + 1];
      // The CLI would take a following flag as the stack's name; a printed command never means that.
      if (value === undefined || value.startsWith("-")) refuse(`${token} needs a stack name`);
      stacks.push(value);
      i++;
    } else if (token.startsWith("--stack=")) {
      const value = token.slice("--stack=".length);
      if (value === "") refuse("--stack= needs a stack name");
      stacks.push(value);
    } else if (token === "--yes" || token === "-y") {
      yes = true;
    } else if (token === "--skip-preview" || token === "-f") {
      skipPreview = true;
    } else if (token === "--preview-only") {
      previewOnly = true;
    } else if (token === "--policy-pack" || token === "--policy-pack-config") {
      // Handed to the CLI as printed; the engine's work directory holds the project's policy/ (engine.ts).
      const value = tokens[i + 1];
      if (value === undefined || value.startsWith("-")) refuse(`${token} needs a path`);
      i++;
    } else if (token.startsWith("-")) {
      refuse(`unknown flag '${token}' (this runner knows ${KNOWN_FLAGS})`);
    } else {
      refuse(`unexpected argument '${token}' (a template or URL; this runner runs the project's program)`);
    }
  }
  // As the CLI: --skip-preview implies --yes, then the non-interactive check, then the combinations.
  yes = yes || skipPreview;
  if (!yes && !previewOnly) fail(NON_INTERACTIVE_UP_ERROR);
  if (skipPreview && previewOnly) fail("error: --skip-preview and --preview-only cannot be used together");
  if (yes && previewOnly) fail("error: --yes and --preview-only cannot be used together");
  // Stricter than the CLI, which would use the selected stack: a printed command must name the one it is for.
  if (stacks.length === 0) refuse("it names no stack (--stack X); a printed command must say which stack it changes");
  if (new Set(stacks).size > 1) refuse(`it names more than one stack (${stacks.join(", ")})`);
  return { stack: stacks[0], operation: previewOnly ? "preview" : skipPreview ? "up" : "preview-then-up" };
}

/** True for the parts that run through /bin/sh as printed. */
function runsInShell(command: string): boolean {
  return command.startsWith("kubectl ") || command.startsWith("pulumi config set ") || command.startsWith("pulumi config set-all ");
}

export interface RunOptions {
  /** Sees every engine event of the `pulumi up` part's passes (the benchmark's breakdown). @default - none */
  readonly onEvent?: (event: EngineEvent) => void;
}

export async function runCommandLine(line: string, engine: EngineStack, options: RunOptions = {}): Promise<CommandStep[]> {
  const steps: CommandStep[] = [];
  for (const command of commandParts(line)) {
    const started = performance.now();
    if (isPulumiUp(command)) {
      const plan = parsePulumiUp(command);
      if (plan.stack !== engine.stack.name) throw new Error(`'${command}' is for stack ${plan.stack}, but this engine runs ${engine.stack.name}`);
      const stdout = await runPulumiUp(command, engine, options.onEvent);
      steps.push({ command, ms: performance.now() - started, stdout, ranAs: "pulumi-up", operation: plan.operation });
      continue;
    }
    if (!runsInShell(command)) {
      throw new Error(`refusing to run '${command}': not a kubectl, pulumi config set, pulumi config set-all or pulumi up command`);
    }
    const stdout = await runInShell(command, command, engine);
    steps.push({ command, ms: performance.now() - started, stdout, ranAs: "shell" });
  }
  return steps;
}

/** Runs `shellLine` through /bin/sh; a failure names `printed`, the command as the stack outputs print it. */
async function runInShell(printed: string, shellLine: string, engine: EngineStack, env: Readonly<Record<string, string>> = {}): Promise<string> {
  try {
    const { stdout } = await execFileAsync("/bin/sh", ["-c", shellLine], {
      cwd: engine.workDir,
      env: { ...process.env, ...engine.env, PULUMI_NON_INTERACTIVE: "true", ...env },
      maxBuffer: 16 * 2 ** 20,
    });
    return stdout;
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    // The CLI prints an update's failure (a refused policy, a resource error) on stdout.
    throw new Error(`'${printed}' failed: ${[stderr.trim(), stdout.trim()].filter((t) => t !== "").join("\n") || String(error)}`);
  }
}

/** The printed `pulumi up` through /bin/sh and the real CLI, connected to the program served here; engine events to `onEvent`. */
async function runPulumiUp(command: string, engine: EngineStack, onEvent: RunOptions["onEvent"]): Promise<string> {
  const eventLog = onEvent === undefined ? undefined : path.join(fs.mkdtempSync(path.join(engine.workDir, ".events-")), "events.jsonl");
  const tail = eventLog === undefined || onEvent === undefined ? undefined : tailEventLog(eventLog, onEvent);
  try {
    // The CLI knows --event-log only with PULUMI_DEBUG_COMMANDS set (as the Automation API sets it).
    const events: { flag: string; env: Record<string, string> } = eventLog === undefined ? { flag: "", env: {} } : { flag: ` --event-log ${eventLog}`, env: { PULUMI_DEBUG_COMMANDS: "true" } };
    return await withInlineLanguageHost(program, (client) => runInShell(command, `${command} ${client}${events.flag}`, engine, events.env));
  } finally {
    await tail?.stop();
    if (eventLog !== undefined) fs.rmSync(path.dirname(eventLog), { recursive: true, force: true });
  }
}
