// The one toolchain gate of the test tiers: whether the pieces a test needs
// are installed, and when not, a loud warning that names them and the command
// that installs them (the test is then skipped, never silently passed).
import { CLUSTER_PIECES, END_TO_END_PIECES, ENSURE_COMMAND, toolchainPresent, type ToolchainPiece } from "./paths";

/** Whether the pieces are installed; warns loudly (naming them and the install command) when not. */
export function toolchainReady(what: string, pieces: readonly ToolchainPiece[]): boolean {
  const status = toolchainPresent(pieces);
  if (!status.ok) {
    console.warn(
      `\n*** SKIPPED: ${what} need(s) ${status.missing.join(", ")} (not installed).\n*** ${status.message}\n*** Run: ${ENSURE_COMMAND}\n`,
    );
  }
  return status.ok;
}

export const clusterReady = (what: string): boolean => toolchainReady(what, CLUSTER_PIECES);
export const engineReady = (what: string): boolean => toolchainReady(what, END_TO_END_PIECES);
