// A Debian package's executable the tests start (prometheus, chromium): found
// on PATH, or the tests that need it are skipped loudly, naming the command
// that installs it.
import { execFileSync } from "node:child_process";
import { ENSURE_COMMAND } from "../../tools/toolchain/paths";

/** The executable `name` on PATH, or undefined. */
export function debianBinary(name: string): string | undefined {
  try {
    return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Whether `name` is installed; warns loudly (what is skipped, and the install command) when not. */
export function debianReady(name: string, what: string): boolean {
  if (debianBinary(name) !== undefined) return true;
  console.warn(`\n*** SKIPPED: ${what} need(s) ${name} (Debian package, not installed).\n*** Run: ${ENSURE_COMMAND}   (it runs apt-get install ${name})\n`);
  return false;
}
