// The state the real provider keeps for an object (its "checkpoint object"):
// the live object as the API server returned it, plus the inputs it was made
// from under `__inputs`, plus `__initialApiVersion` and `__fieldManager`.
// Diff, update and delete read it back.
import { asObject, isRecord, toJson, type Json, type JsonObject } from "../shared/json";
import { unwrapSecrets, wrapSecretPaths, type PropertyPath } from "../shared/secrets";

export const INPUTS_KEY = "__inputs";
export const INITIAL_API_VERSION_KEY = "__initialApiVersion";
export const FIELD_MANAGER_KEY = "__fieldManager";

export interface Checkpoint {
  /** The inputs of the last create or update (plain, secrets unwrapped). */
  readonly inputs: JsonObject;
  /** The live object as last read (plain). */
  readonly live: JsonObject;
  /** Where the inputs held secrets, relative to the inputs. */
  readonly secretPaths: readonly PropertyPath[];
  readonly initialApiVersion: string | undefined;
  readonly fieldManager: string | undefined;
}

export function parseCheckpoint(state: unknown): Checkpoint {
  const { value, secretPaths } = unwrapSecrets(toJson(state));
  const inputs = asObject(value[INPUTS_KEY]);
  const live: JsonObject = { ...value };
  delete live[INPUTS_KEY];
  delete live[INITIAL_API_VERSION_KEY];
  delete live[FIELD_MANAGER_KEY];
  const underInputs = secretPaths.filter((path) => path[0] === INPUTS_KEY).map((path) => path.slice(1));
  const initialApiVersion = value[INITIAL_API_VERSION_KEY];
  const fieldManager = value[FIELD_MANAGER_KEY];
  return {
    inputs,
    live,
    secretPaths: underInputs,
    initialApiVersion: typeof initialApiVersion === "string" ? initialApiVersion : undefined,
    fieldManager: typeof fieldManager === "string" ? fieldManager : undefined,
  };
}

export function makeCheckpoint(args: {
  readonly inputs: JsonObject;
  readonly live: JsonObject;
  readonly secretPaths: readonly PropertyPath[];
  readonly initialApiVersion: string;
  readonly fieldManager: string;
}): JsonObject {
  const paths = [...args.secretPaths, ...alwaysSecret(args.live)];
  return {
    ...wrapSecretPaths(args.live, paths),
    [INPUTS_KEY]: wrapSecretPaths(args.inputs, paths),
    [INITIAL_API_VERSION_KEY]: args.initialApiVersion,
    [FIELD_MANAGER_KEY]: args.fieldManager,
  };
}

/**
 * A Secret's data and stringData stay secret wherever they appear, whether or
 * not the program marked them (@pulumi/kubernetes marks them as secret outputs;
 * the API server turns stringData into data, so marks on one must cover both).
 */
export function alwaysSecret(object: JsonObject): PropertyPath[] {
  return object["kind"] === "Secret" && object["apiVersion"] === "v1" ? [["data"], ["stringData"]] : [];
}

/**
 * The live object cut down to the shape of the inputs, so that fields the
 * cluster fills in (defaults, status, metadata) do not count as changes:
 * object keys the inputs do not have are dropped; lists are cut to the
 * inputs' length; where the types differ the live value is kept as is.
 */
export function pruneLive(live: JsonObject, inputs: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, liveValue] of Object.entries(live)) {
    if (!(key in inputs)) continue;
    out[key] = pruneValue(liveValue, inputs[key] ?? null);
  }
  return out;
}

function pruneValue(live: Json, input: Json): Json {
  if (isRecord(live) && isRecord(input)) return pruneLive(live as JsonObject, input as JsonObject);
  if (Array.isArray(live) && Array.isArray(input)) {
    if (live.length === 0 || input.length === 0) return [];
    const sameType = typeof live[0] === typeof input[0] && Array.isArray(live[0]) === Array.isArray(input[0]);
    if (!sameType) return [...live];
    return live.slice(0, input.length).map((item, index) => pruneValue(item, input[index] ?? null));
  }
  return live;
}
