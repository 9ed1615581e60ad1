// A plugin's stderr goes to the engine's log file, not to the person running
// `pulumi up`; with SAFE_DEPLOY_STANDIN_LOG set, each provider call appends one
// line there instead. Lines name the call, the resource and the outcome, never
// property values (they may be secrets).
import { appendFileSync } from "node:fs";

export const LOG_ENV = "SAFE_DEPLOY_STANDIN_LOG";

export function logLine(plugin: string, text: string): void {
  const file = process.env[LOG_ENV];
  if (file === undefined || file === "") return;
  try {
    appendFileSync(file, `${new Date().toISOString()} ${plugin}[${String(process.pid)}] ${text}\n`);
  } catch {
    // Logging must never fail a provider call.
  }
}

/** Runs one provider call, logging its start, its duration and how it ended. */
export async function logged<T>(plugin: string, method: string, urn: string, call: () => Promise<T>): Promise<T> {
  const started = Date.now();
  logLine(plugin, `${method} ${urn} ...`);
  try {
    const result = await call();
    logLine(plugin, `${method} ${urn} ok (${String(Date.now() - started)} ms)`);
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logLine(plugin, `${method} ${urn} FAILED (${String(Date.now() - started)} ms): ${message.split("\n")[0] ?? ""}`);
    throw error;
  }
}
