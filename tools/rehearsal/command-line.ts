// Runs a command line exactly as the stack outputs print it, the way an
// operator pastes it into a shell: `kubectl ...` and `pulumi config set ...`
// through /bin/sh with the cluster's kubeconfig and the rehearsal's Pulumi
// environment. One part cannot run as printed here: `pulumi up --stack X`
// needs the Node.js language host, which this machine cannot build, so that
// step runs the same program through the Automation API (`stack.up()`),
// which is what the CLI would do with it.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { EngineStack } from "./engine";

const execFileAsync = promisify(execFile);

export interface CommandStep {
  readonly command: string;
  readonly ms: number;
  readonly stdout: string;
  /** `shell`: run as printed; `automation-api`: `pulumi up`, run as stack.up(). */
  readonly ranAs: "shell" | "automation-api";
}

/** The `&&`-joined parts of a printed command line (our commands never nest `&&` in quotes). */
export function commandParts(line: string): string[] {
  return line.split(" && ").map((part) => part.trim());
}

const PULUMI_UP = /^pulumi up --stack (\S+)$/;

export async function runCommandLine(line: string, engine: EngineStack): Promise<CommandStep[]> {
  const steps: CommandStep[] = [];
  for (const command of commandParts(line)) {
    const started = performance.now();
    const up = PULUMI_UP.exec(command);
    if (up !== null) {
      if (up[1] !== engine.stack.name) throw new Error(`'${command}' is for stack ${up[1]}, but this engine runs ${engine.stack.name}`);
      const result = await engine.stack.up({ color: "never" });
      steps.push({ command, ms: performance.now() - started, stdout: result.stdout, ranAs: "automation-api" });
      continue;
    }
    if (!command.startsWith("kubectl ") && !command.startsWith("pulumi config set ")) {
      throw new Error(`refusing to run '${command}': not a kubectl or pulumi config command`);
    }
    try {
      const { stdout } = await execFileAsync("/bin/sh", ["-c", command], {
        cwd: engine.workDir,
        env: { ...process.env, ...engine.env, PULUMI_NON_INTERACTIVE: "true" },
        maxBuffer: 16 * 2 ** 20,
      });
      steps.push({ command, ms: performance.now() - started, stdout, ranAs: "shell" });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? "";
      throw new Error(`'${command}' failed: ${stderr.trim() || String(error)}`);
    }
  }
  return steps;
}
