// Runs one policy in-process the way @pulumi/policy's server does: properties
// behind the SDK's unknown-checking proxy, config as the engine reconciles it
// (the schema's defaults, then what a config file sets), `notApplicable` as an
// outcome of its own. For policy logic; test/policy/analyzer-protocol.test.ts
// serves the whole pack over the real protocol.
import {
  unknownCheckingProxy,
  type Policy,
  type PolicyResource,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidationArgs,
  type StackValidationPolicy,
} from "./sdk";

class NotApplicable extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** The defaults a policy's config schema declares, as the engine sends them when a config file says nothing. */
export function schemaDefaults(policy: Policy): Record<string, unknown> {
  const properties = policy.configSchema?.properties ?? {};
  return Object.fromEntries(Object.entries(properties).flatMap(([key, schema]) => ("default" in schema ? [[key, schema.default]] : [])));
}

export interface ResourceInput {
  readonly type: string;
  readonly props: Record<string, unknown>;
  /** @default the object's metadata.name, or "resource" */
  readonly name?: string;
}

export interface Judgement {
  readonly violations: string[];
  /** Set when the policy declared itself not applicable, with its reason. */
  readonly notApplicable?: string;
}

function urnOf(type: string, name: string): string {
  return `urn:pulumi:production::safe-deploy::${type}::${name}`;
}

function nameOf(input: ResourceInput): string {
  const metadata = input.props["metadata"] as { name?: unknown } | undefined;
  return input.name ?? (typeof metadata?.name === "string" ? metadata.name : "resource");
}

const OPTIONS = { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] };

export async function judgeResource(policy: ResourceValidationPolicy, input: ResourceInput, config: Record<string, unknown> = {}): Promise<Judgement> {
  const violations: string[] = [];
  const name = nameOf(input);
  const args: ResourceValidationArgs = {
    type: input.type,
    props: unknownCheckingProxy(structuredClone(input.props)) as Record<string, unknown>,
    urn: urnOf(input.type, name),
    name,
    opts: OPTIONS,
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => ({ ...schemaDefaults(policy), ...config }) as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason ?? "");
    },
  };
  const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  try {
    for (const validate of validations) await validate(args, (message) => violations.push(message));
  } catch (error) {
    if (error instanceof NotApplicable) return { violations, notApplicable: error.reason };
    throw error;
  }
  return { violations };
}

export interface StackInput extends ResourceInput {
  /** @default derived from type and name */
  readonly urn?: string;
  /** URNs of resources this one depends on. @default [] */
  readonly dependencies?: readonly string[];
}

export interface StackJudgement extends Judgement {
  /** The URN each violation named (undefined: the stack as a whole), in order. */
  readonly urns: (string | undefined)[];
}

export async function judgeStack(policy: StackValidationPolicy, inputs: readonly StackInput[], config: Record<string, unknown> = {}): Promise<StackJudgement> {
  const violations: string[] = [];
  const urns: (string | undefined)[] = [];
  const resources: PolicyResource[] = inputs.map((input) => {
    const name = nameOf(input);
    return {
      type: input.type,
      props: unknownCheckingProxy(structuredClone(input.props)) as Record<string, unknown>,
      urn: input.urn ?? urnOf(input.type, name),
      name,
      opts: OPTIONS,
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    };
  });
  inputs.forEach((input, i) => {
    resources[i]!.dependencies = (input.dependencies ?? []).flatMap((urn) => resources.filter((r) => r.urn === urn));
  });
  const args: StackValidationArgs = {
    resources,
    stackTags: new Map(),
    getConfig: <T extends object>() => ({ ...schemaDefaults(policy), ...config }) as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason ?? "");
    },
  };
  try {
    await policy.validateStack(args, (message, urn) => {
      violations.push(message);
      urns.push(urn);
    });
  } catch (error) {
    if (error instanceof NotApplicable) return { violations, urns, notApplicable: error.reason };
    throw error;
  }
  return { violations, urns };
}
