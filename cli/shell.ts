// A printed command line run as an operator types it: through /bin/sh,
// bounded in time, its output kept; a failure is a result, not an error.
import { exec } from "node:child_process";
import { promisify } from "node:util";

const execAsync = promisify(exec);

export async function shell(command: string, timeoutMs: number): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await execAsync(command, { shell: "/bin/sh", timeout: timeoutMs, maxBuffer: 16 * 2 ** 20 });
    return { ok: true, output: `${stdout}${stderr}`.trim() };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; killed?: boolean; message?: string };
    const why = failed.killed === true ? `did not finish within ${timeoutMs / 1000} s` : (failed.stderr ?? failed.message ?? "failed").trim();
    return { ok: false, output: `${failed.stdout ?? ""}${why}`.trim() };
  }
}
