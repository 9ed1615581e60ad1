// `safe-deploy`: one way in for operators, over the same program and stacks
// as `pulumi up`. Every command that previews or updates attaches the policy
// pack with the config of the stack's environment; there is no flag to leave
// it out. `--json` prints one JSON document on stdout; progress goes to
// stderr. Exit codes: cli/exit-codes.ts.
import { Command, InvalidArgumentError, Option } from "commander";
import { runEngine, exitCodeOf } from "./engine-run";
import { formatRun } from "./format-run";
import { EXIT, type ExitCode } from "./exit-codes";
import { formatHistory, serviceHistory } from "./history";
import { CommandInputError, openStack } from "./open-stack";
import { actOnHeldCanary, formatHeldCanary } from "./held-canary";
import { commentOnPullRequest } from "./preview-command";
import { formatRelease, releaseExitCode, releaseService } from "./release";
import { formatReport, writeReport } from "./report";
import { formatResume, resumeStack } from "./resume";
import { DEFAULT_RETENTION_MINUTES, formatRetire, retireStandby } from "./retire";
import { formatRollback, rollbackService } from "./rollback";
import { formatStatus, stackStatus } from "./status";

/** Minutes as a positive number, for `--timeout`. */
function minutes(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError(`must be a positive number of minutes (got '${value}')`);
  return parsed;
}

interface StackOptions {
  readonly stack: string;
  readonly json?: boolean;
  readonly timeout: number;
}

function write(json: boolean | undefined, document: unknown, text: string): void {
  process.stdout.write(json === true ? `${JSON.stringify(document, null, 2)}\n` : text);
}

function stackCommand(name: string, description: string, defaultMinutes: number): Command {
  return new Command(name)
    .description(description)
    .showHelpAfterError()
    .exitOverride()
    .requiredOption("-s, --stack <stack>", "the stack, e.g. production")
    .option("--json", "print one JSON document on stdout instead of text")
    .addOption(new Option("--timeout <minutes>", "stop waiting after this long (the engine is told to cancel)").argParser(minutes).default(defaultMinutes));
}

export function safeDeployCommand(setExit: (code: ExitCode) => void): Command {
  const cli = new Command("safe-deploy")
    .description("Deploy services to Kubernetes by the production runbook, the policy pack always attached.")
    .showHelpAfterError()
    .exitOverride();
  cli.addCommand(
    new Command("preview")
      .description("what an update would change, judged by the policy pack and the checklist; with --comment, for a pull request: several stacks as one comment")
      .showHelpAfterError()
      .exitOverride()
      .requiredOption("-s, --stack <stack>", "the stack, e.g. production (repeat for several, with --comment)", (stack: string, stacks: string[]) => [...stacks, stack], [])
      .option("--json", "print one JSON document on stdout instead of text")
      .option("--comment", "judge with the pull-request policy config and print (and on a GitHub pull request, post) one Markdown comment for every stack")
      .addOption(new Option("--timeout <minutes>", "stop waiting after this long (the engine is told to cancel)").argParser(minutes).default(15))
      .action(async (options: Omit<StackOptions, "stack"> & { readonly stack: string[]; readonly comment?: boolean }) => {
        if (options.stack.length === 0) throw new InvalidArgumentError("--stack is required");
        if (options.comment === true) {
          setExit(await commentOnPullRequest(options.stack, { timeoutMs: options.timeout * 60_000, json: options.json === true }));
          return;
        }
        if (options.stack.length !== 1) throw new InvalidArgumentError(`one --stack at a time without --comment (got ${options.stack.length})`);
        const run = await runEngine(await openStack(options.stack[0]!, { create: true }), "preview", { timeoutMs: options.timeout * 60_000 });
        write(options.json, run, formatRun(run));
        setExit(exitCodeOf(run.outcome));
      }),
  );
  cli.addCommand(
    stackCommand("up", "preview, then update: both judged by the policy pack", 30).action(async (options: StackOptions) => {
      const run = await runEngine(await openStack(options.stack, { create: true }), "up", { timeoutMs: options.timeout * 60_000, readChecklist: true });
      write(options.json, run, formatRun(run));
      setExit(exitCodeOf(run.outcome));
    }),
  );
  cli.addCommand(
    stackCommand("status", "per service what serves and how to go back; whether the cluster still matches the stack", 2).action(async (options: StackOptions) => {
      const status = await stackStatus(await openStack(options.stack), { timeoutMs: options.timeout * 60_000 });
      write(options.json, status, formatStatus(status));
      setExit(status.services.known ? EXIT.ok : EXIT.failed);
    }),
  );
  cli.addCommand(
    stackCommand("history", "every version a service ran, from the stack history: release or rollback, when, by whom", 2)
      .argument("<service>", "the service, as named under safe-deploy:services")
      .action(async (service: string, options: StackOptions) => {
        const opened = await openStack(options.stack);
        const rows = serviceHistory(await opened.stack.history(), service);
        write(options.json, { stack: options.stack, service, updates: rows }, formatHistory(service, options.stack, rows));
        setExit(EXIT.ok);
      }),
  );
  cli.addCommand(
    stackCommand("rollback", "traffic back first with the quick command, then the stack into agreement (the pack attached), then verify", 15)
      .argument("<service>", "the service, as named under safe-deploy:services")
      .option("--to <update-or-version>", "an earlier update (its number in safe-deploy history) or version to go back to; default: the rollback target the stack outputs name")
      .action(async (service: string, options: StackOptions & { readonly to?: string }) => {
        const run = await rollbackService(await openStack(options.stack), service, { timeoutMs: options.timeout * 60_000, ...(options.to === undefined ? {} : { to: options.to }) });
        write(options.json, run, formatRollback(run));
        setExit(exitCodeOf(run.outcome));
      }),
  );
  cli.addCommand(
    stackCommand("release", "the strategy's release steps, each an update the pack judges, a canary's judged by its analysis between steps; a failed one taken back at once (traffic first), exit 3; a canary the analysis cannot decide held, exit 4", 60)
      .argument("<service>", "the service, as named under safe-deploy:services")
      .argument("<version>", "the version to release, e.g. v2.5.0")
      .option("--again <why>", "release a canary version that was taken out of traffic (aborted, or rolled back) once more; the reason goes into every update's message")
      .action(async (service: string, version: string, options: StackOptions & { readonly again?: string }) => {
        const run = await releaseService(await openStack(options.stack), service, version, { timeoutMs: options.timeout * 60_000, ...(options.again === undefined ? {} : { again: options.again }) });
        write(options.json, run, formatRelease(run, formatRun));
        setExit(releaseExitCode(run.outcome));
      }),
  );
  for (const [action, description] of [
    ["promote", "a held canary promoted by hand: the stable track runs its version, the canary track goes (an update the pack judges)"],
    ["abort", "a held canary aborted by hand: out of traffic at once (the quick command), then the update that records it"],
  ] as const) {
    cli.addCommand(
      stackCommand(action, description, 15)
        .argument("<service>", "the service, as named under safe-deploy:services")
        .option("--reason <why>", "why, for the update's message in the stack history")
        .action(async (service: string, options: StackOptions & { readonly reason?: string }) => {
          const run = await actOnHeldCanary(await openStack(options.stack), service, action, { timeoutMs: options.timeout * 60_000, ...(options.reason === undefined ? {} : { reason: options.reason }) });
          write(options.json, run, formatHeldCanary(run, formatRun));
          setExit(exitCodeOf(run.outcome));
        }),
    );
  }
  cli.addCommand(
    stackCommand("report", "a service's latest release as one self-contained HTML file: the verdict, the tracks over time with each decision, the timeline, the checklist, the way back", 2)
      .argument("[service]", "the service, as named under safe-deploy:services; default: the stack's latest release")
      .option("--out <file>", "where to write it; default: safe-deploy-report-STACK-SERVICE-VERSION.html here")
      .action(async (service: string | undefined, options: StackOptions & { readonly out?: string }) => {
        const run = await writeReport(await openStack(options.stack), service, options.out === undefined ? {} : { out: options.out });
        write(options.json, run, formatReport(run));
        setExit(EXIT.ok);
      }),
  );
  cli.addCommand(
    stackCommand("retire", `take down a blue-green service's standby slot, once ${DEFAULT_RETENTION_MINUTES} min have passed since the version now serving took traffic`, 15)
      .argument("<service>", "the service, as named under safe-deploy:services")
      .addOption(new Option("--retention-minutes <minutes>", "how long the standby must have stood since the switch").argParser(minutes).default(DEFAULT_RETENTION_MINUTES))
      .action(async (service: string, options: StackOptions & { readonly retentionMinutes: number }) => {
        const run = await retireStandby(await openStack(options.stack), service, { timeoutMs: options.timeout * 60_000, retentionMinutes: options.retentionMinutes });
        write(options.json, run, formatRetire(run, formatRun));
        setExit(exitCodeOf(run.outcome));
      }),
  );
  cli.addCommand(
    stackCommand("resume", "after a hard kill: break a lock whose holder is gone, then run the update again, adopting what the killed one created", 30)
      .option("--holder-gone <host>", "the lock's holder ran on this host, which is gone (a CI runner): break its lock though its process cannot be looked up from here (repeatable)", (host: string, hosts: string[]) => [...hosts, host], [])
      .action(async (options: StackOptions & { readonly holderGone: string[] }) => {
        const run = await resumeStack(await openStack(options.stack), { timeoutMs: options.timeout * 60_000, holderGone: options.holderGone });
        write(options.json, run, formatResume(run, formatRun));
        setExit(exitCodeOf(run.outcome));
      }),
  );
  return cli;
}

/** Runs `safe-deploy` on `argv` and exits with its code. */
export async function run(argv: readonly string[] = process.argv): Promise<void> {
  let code: ExitCode = EXIT.ok;
  try {
    await safeDeployCommand((exit) => (code = exit)).parseAsync([...argv]);
  } catch (error) {
    const commanderCode = (error as { code?: string }).code;
    if (commanderCode === "commander.helpDisplayed" || commanderCode === "commander.version") code = EXIT.ok;
    else if (commanderCode !== undefined && commanderCode.startsWith("commander.")) code = EXIT.usage;
    else if (error instanceof CommandInputError) {
      process.stderr.write(`safe-deploy: ${error.message}\n`);
      code = EXIT.refused;
    } else {
      process.stderr.write(`safe-deploy: ${error instanceof Error ? error.message : String(error)}\n`);
      code = EXIT.failed;
    }
  }
  process.exitCode = code;
}
