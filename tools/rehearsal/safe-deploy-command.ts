// `npx safe-deploy ARGS` as an operator types it: in the stack's project
// directory, with its environment (backend, passphrase, PATH, KUBECONFIG),
// without a terminal. The rehearsal, the end-to-end tests and the rollback
// benchmark run the command through this.
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT, type EngineStack } from "./engine";

const execFileAsync = promisify(execFile);

/** The command's bin (package.json `bin`), which `npx safe-deploy` runs. */
export const SAFE_DEPLOY_BIN = path.join(PROJECT_ROOT, "cli", "bin", "safe-deploy.cjs");

export interface CommandRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the command to its end; a non-zero exit is a result, not an error. */
export async function runSafeDeploy(engine: EngineStack, args: readonly string[], cwd = engine.workDir, env: Readonly<Record<string, string>> = {}): Promise<CommandRun> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [SAFE_DEPLOY_BIN, ...args], { cwd, env: { ...process.env, ...engine.env, ...env }, maxBuffer: 16 * 2 ** 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === "number" ? failed.code : -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}
