// The one way unit tests run the program: a shipped stack file, optionally
// edited as an operator would edit it, under Pulumi's mocks.
import { parseStackConfig, StackConfigError } from "../../config/load";
import { program, type ProgramOptions, type StackOutputs } from "../../program";
import { gatherWith } from "./checklist-fixtures";
import { startMockRun, type MockRun, type MockRunOptions } from "./pulumi-mocks";
import { stackFileRaw } from "./stack-files";

/** The stack file's `safe-deploy:` keys as plain values, `services` keyed by name. */
export type RawStackConfig = Record<string, unknown> & { services: Record<string, Record<string, unknown>> };

/** An edit of the raw config, e.g. `(raw) => (raw.services["user-api"]!.replicas = 3)`. */
export type StackEdit = (raw: RawStackConfig) => void;

/** The stack file's raw config with `edit` applied (a fresh copy each time). */
export function editedRaw(stack: string, edit: StackEdit = () => {}): RawStackConfig {
  const raw = structuredClone(stackFileRaw(stack)) as RawStackConfig;
  edit(raw);
  return raw;
}

/** The raw config as the engine hands it to the program: `safe-deploy:` keys, objects as JSON. */
export function asAllConfig(raw: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw).map(([key, value]) => [`safe-deploy:${key}`, typeof value === "string" ? value : JSON.stringify(value)]),
  );
}

/** The keys that hold credentials, as the engine marks them when they were set with `--secret`. */
export const CREDENTIAL_KEYS = ["safe-deploy:webhookUrl", "safe-deploy:checkSecrets", "safe-deploy:checklist"] as const;

/**
 * Runs the program under mocks. Unless told otherwise, as a stack whose credentials were set
 * with `--secret` and whose every checklist item passes (test/support/checklist-fixtures.ts):
 * these tests are of the wiring; the gates have tests of their own that set both.
 */
export async function runProgram(
  stack: string,
  edit?: StackEdit,
  options: Omit<MockRunOptions, "stack" | "config"> & {
    readonly program?: ProgramOptions;
    /** Other namespaces' config, e.g. `kubernetes:context`. @default {} */
    readonly otherConfig?: Readonly<Record<string, string>>;
  } = {},
): Promise<{ run: MockRun; outputs: StackOutputs }> {
  const { program: programOptions, otherConfig, ...mockOptions } = options;
  const run = await startMockRun({ secretKeys: CREDENTIAL_KEYS, ...mockOptions, stack, config: { ...asAllConfig(editedRaw(stack, edit)), ...otherConfig } });
  const outputs = await program({ gather: gatherWith(), ...programOptions });
  await run.settled();
  return { run, outputs };
}

/** The problems the config parser reports for `raw`; throws if it accepts it. */
export function problemsOf(raw: Record<string, unknown>): readonly string[] {
  try {
    parseStackConfig(raw);
  } catch (error) {
    if (error instanceof StackConfigError) return error.problems;
    throw error;
  }
  throw new Error("the config was accepted");
}
