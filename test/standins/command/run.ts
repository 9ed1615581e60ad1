// Running one command as pulumi-command's local.Command does: the interpreter
// (default /bin/sh -c) with the command as its last argument, in `dir` (else
// the provider's working directory), with the provider's environment plus
// `environment`, plus the previous stdout/stderr as PULUMI_COMMAND_STDOUT and
// PULUMI_COMMAND_STDERR when there were any, and `stdin` when not empty.
// Output keeps all but one trailing newline; a non-zero exit is an error
// quoting the command and its combined output.
import { spawn } from "node:child_process";

export interface CommandRun {
  readonly command: string;
  readonly interpreter?: readonly string[];
  readonly dir?: string;
  readonly environment?: Readonly<Record<string, string>>;
  readonly stdin?: string;
  readonly previous?: { readonly stdout: string; readonly stderr: string };
  /** Quote neither the command nor its output in errors (an input was secret). */
  readonly secret?: boolean;
}

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
}

export function runCommand(run: CommandRun): Promise<CommandResult> {
  const [program, ...args] = run.interpreter !== undefined && run.interpreter.length > 0 ? run.interpreter : ["/bin/sh", "-c"];
  if (program === undefined) return Promise.reject(new Error("the interpreter is empty"));
  const env: NodeJS.ProcessEnv = { ...process.env, ...run.environment };
  if (run.previous?.stdout) env["PULUMI_COMMAND_STDOUT"] = run.previous.stdout;
  if (run.previous?.stderr) env["PULUMI_COMMAND_STDERR"] = run.previous.stderr;
  const shown = run.secret === true ? "[secret]" : JSON.stringify(run.command);

  return new Promise((resolve, reject) => {
    const child = spawn(program, [...args, run.command], { cwd: run.dir ?? process.cwd(), env, stdio: ["pipe", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const combined: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
      stdout.push(chunk);
      combined.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr.push(chunk);
      combined.push(chunk);
    });
    child.on("error", (error) => reject(new Error(`${error.message}: running ${shown}`)));
    child.on("close", (code, signal) => {
      if (code === 0) {
        resolve({ stdout: trimOneNewline(Buffer.concat(stdout)), stderr: trimOneNewline(Buffer.concat(stderr)) });
        return;
      }
      const status = signal !== null ? `signal: ${signal}` : `exit status ${String(code)}`;
      const output = run.secret === true ? "[secret output]" : Buffer.concat(combined).toString("utf8");
      reject(new Error(`${status}: running ${shown}:\n${output}`));
    });
    // A command that does not read stdin may close it early; that is not an error.
    child.stdin.on("error", () => undefined);
    if (run.stdin !== undefined && run.stdin !== "") child.stdin.write(run.stdin);
    child.stdin.end();
  });
}

function trimOneNewline(buffer: Buffer): string {
  const text = buffer.toString("utf8");
  return text.endsWith("\n") ? text.slice(0, -1) : text;
}
