// The Command stand-in's provider: `command:local:Command` as pulumi-command
// implements it (provider/pkg/provider/local: commandController.go and the
// run helper; documented in @pulumi/command's local/command.d.ts):
// - create runs `create`; the resource ID is the resource name plus 8 hex chars;
// - a change of `triggers` replaces (create-before-delete); any other input
//   change updates, which runs `update`, or `create` again when `update` is unset;
// - delete runs `delete` (if set) with the last stdout/stderr in
//   PULUMI_COMMAND_STDOUT / PULUMI_COMMAND_STDERR;
// - outputs are the inputs plus stdout and stderr; when any input is secret,
//   stdout and stderr are secret too (every output depends on every input).
import { randomBytes } from "node:crypto";
import type * as provider from "@pulumi/pulumi/provider";
import { logged } from "../shared/call-log";
import { deepEqual, toJson, type Json, type JsonObject } from "../shared/json";
import { makeSecret, unwrapSecrets, wrapSecretPaths } from "../shared/secrets";
import { parseUrn } from "../shared/urn";
import { runCommand, type CommandResult } from "./run";

/** The version @pulumi/command 4.5.0 asks the engine for. */
export const COMMAND_PROVIDER_VERSION = "4.5.0";
const PLUGIN = "command";
const COMMAND_TYPE = "command:local:Command";

const INPUTS = [
  "create", "update", "delete", "environment", "dir", "triggers", "stdin", "interpreter", "assetPaths", "archivePaths",
  "addPreviousOutputInEnv",
] as const;

interface CommandInputs {
  readonly create?: string;
  readonly update?: string;
  readonly delete?: string;
  readonly environment?: Record<string, string>;
  readonly dir?: string;
  readonly stdin?: string;
  readonly interpreter?: string[];
  readonly addPreviousOutputInEnv?: boolean;
}

export function commandProvider(): provider.Provider {
  return {
    version: COMMAND_PROVIDER_VERSION,

    check: (urn, _olds: unknown, news: unknown) =>
      logged(PLUGIN, "check", urn, () => {
        assertCommandType(urn);
        const inputs = toJson(news);
        return Promise.resolve({ inputs, failures: typeFailures(unwrapSecrets(inputs).value) });
      }),

    diff: (_id, urn, olds: unknown, news: unknown) =>
      logged(PLUGIN, "diff", urn, () => {
        const before = inputsOf(unwrapSecrets(toJson(olds)).value);
        const after = inputsOf(unwrapSecrets(toJson(news)).value);
        const changed = INPUTS.filter((key) => !deepEqual(before[key], after[key]));
        return Promise.resolve({
          changes: changed.length > 0,
          replaces: changed.includes("triggers") ? ["triggers"] : [],
          deleteBeforeReplace: false,
        });
      }),

    create: (urn, inputs: unknown) =>
      logged(PLUGIN, "create", urn, async () => {
        assertCommandType(urn);
        const { value, secretPaths } = unwrapSecrets(toJson(inputs));
        const command = value as CommandInputs;
        const secret = secretPaths.length > 0;
        const result = command.create === undefined ? { stdout: "", stderr: "" } : await run(command, command.create, undefined, secret);
        return { id: `${parseUrn(urn).name}${randomBytes(4).toString("hex")}`, outs: outputs(value, secretPaths, result) };
      }),

    // Nothing to look at: the state is what the last run returned.
    read: (id, urn, props: unknown) => logged(PLUGIN, "read", urn, () => Promise.resolve({ id, props: toJson(props) })),

    update: (_id, urn, olds: unknown, news: unknown) =>
      logged(PLUGIN, "update", urn, async () => {
        const previous = previousOutput(unwrapSecrets(toJson(olds)).value);
        const { value, secretPaths } = unwrapSecrets(toJson(news));
        const command = value as CommandInputs;
        const text = command.update ?? command.create;
        const result = text === undefined ? previous : await run(command, text, previous, secretPaths.length > 0);
        return { outs: outputs(value, secretPaths, result) };
      }),

    delete: (_id, urn, props: unknown) =>
      logged(PLUGIN, "delete", urn, async () => {
        const { value, secretPaths } = unwrapSecrets(toJson(props));
        const command = value as CommandInputs;
        if (command.delete === undefined) return;
        await run(command, command.delete, previousOutput(value), secretPaths.length > 0);
      }),
  };
}

function run(inputs: CommandInputs, command: string, previous: CommandResult | undefined, secret: boolean): Promise<CommandResult> {
  return runCommand({
    command,
    ...(inputs.interpreter !== undefined ? { interpreter: inputs.interpreter } : {}),
    ...(inputs.dir !== undefined ? { dir: inputs.dir } : {}),
    ...(inputs.environment !== undefined ? { environment: inputs.environment } : {}),
    ...(inputs.stdin !== undefined ? { stdin: inputs.stdin } : {}),
    // addPreviousOutputInEnv defaults to true.
    ...(previous !== undefined && inputs.addPreviousOutputInEnv !== false ? { previous } : {}),
    secret,
  });
}

function outputs(inputs: JsonObject, secretPaths: Parameters<typeof wrapSecretPaths>[1], result: CommandResult): JsonObject {
  const anySecret = secretPaths.length > 0;
  const text = (value: string): Json => (anySecret ? makeSecret(value) : value);
  return { ...wrapSecretPaths(inputsOf(inputs), secretPaths), stdout: text(result.stdout), stderr: text(result.stderr) };
}

function inputsOf(state: JsonObject): JsonObject {
  const picked: JsonObject = {};
  for (const key of INPUTS) {
    const value = state[key];
    if (value !== undefined) picked[key] = value;
  }
  return picked;
}

function previousOutput(state: JsonObject): CommandResult {
  const text = (value: Json | undefined): string => (typeof value === "string" ? value : "");
  return { stdout: text(state["stdout"]), stderr: text(state["stderr"]) };
}

function assertCommandType(urn: string): void {
  const { type } = parseUrn(urn);
  if (type !== COMMAND_TYPE) throw new Error(`unknown resource type "${type}": this stand-in serves only ${COMMAND_TYPE}`);
}

/** The schema's types, checked as the real provider's Check does. */
function typeFailures(inputs: JsonObject): provider.CheckFailure[] {
  const failures: provider.CheckFailure[] = [];
  const expect = (key: string, ok: (value: Json) => boolean, what: string): void => {
    const value = inputs[key];
    if (value !== undefined && value !== null && !ok(value)) failures.push({ property: key, reason: `${key} must be ${what}` });
  };
  const isString = (value: Json): boolean => typeof value === "string";
  for (const key of ["create", "update", "delete", "dir", "stdin"]) expect(key, isString, "a string");
  expect("environment", (v) => typeof v === "object" && !Array.isArray(v) && Object.values(v as JsonObject).every(isString), "a map of strings");
  expect("interpreter", (v) => Array.isArray(v) && v.every(isString), "a list of strings");
  expect("triggers", Array.isArray, "a list");
  return failures;
}
