// Runs Pulumi code under the SDK's mocks and records every resource the way the
// engine would receive it: type, name, inputs, parent and dependencies (URNs).
// For unit tests of component wiring only; the end-to-end tests run the real engine.
import * as pulumi from "@pulumi/pulumi";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly parent: string;
  /** URNs this resource waits for (dependsOn, expanded over components, plus input dependencies). */
  readonly dependencies: readonly string[];
  readonly inputs: Record<string, unknown>;
}

export interface MockRun {
  readonly resources: RecordedResource[];
  /** Resources the program read rather than managed (a StackReference), by type and name. */
  readonly reads: { readonly type: string; readonly name: string }[];
  /** What each component passed to `registerOutputs`, by URN, as the engine receives it. */
  readonly componentOutputs: Map<string, Record<string, unknown>>;
  /** Resolves once every registration started so far (and any it starts) has finished. */
  settled(): Promise<void>;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
}

interface RegisterResponse {
  getUrn(): string;
}

interface RegisterOutputsRequest {
  getUrn(): string;
  getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined;
}

interface ReadRequest {
  getType(): string;
  getName(): string;
}

interface Monitor {
  readResource(req: ReadRequest, callback: (err: unknown, res: unknown) => void): unknown;
  registerResource(req: RegisterRequest, callback: (err: unknown, res: RegisterResponse | undefined) => void): Promise<void>;
  registerResourceOutputs(req: RegisterOutputsRequest, callback: (err: unknown, res: unknown) => void): void;
}

export interface MockRunOptions {
  readonly stack: string;
  /** The stack config as `pulumi.runtime.allConfig()` returns it. @default {} */
  readonly config?: Record<string, string>;
  /** @default false */
  readonly preview?: boolean;
  /** The config keys the engine marks secret (set with `--secret`). @default [] */
  readonly secretKeys?: readonly string[];
  /** What a StackReference reads as the referenced stack's outputs (the program reads its own last outputs). @default {} */
  readonly referencedOutputs?: Record<string, unknown>;
}

export async function startMockRun(options: MockRunOptions): Promise<MockRun> {
  const resources: RecordedResource[] = [];
  const componentOutputs = new Map<string, Record<string, unknown>>();
  const reads: { type: string; name: string }[] = [];
  const inputsByKey = new Map<string, Record<string, unknown>>();
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        inputsByKey.set(`${args.type}::${args.name}`, args.inputs as Record<string, unknown>);
        if (args.type === "pulumi:pulumi:StackReference") {
          return { id: String(args.inputs["name"]), state: { ...args.inputs, outputs: options.referencedOutputs ?? {}, secretOutputNames: [] } };
        }
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "safe-deploy",
    options.stack,
    options.preview ?? false,
    // What a DIY backend (the file backend of the harness) calls every stack's organization.
    "organization",
  );
  pulumi.runtime.setAllConfig(options.config ?? {}, [...(options.secretKeys ?? [])]);

  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const register = monitor.registerResource.bind(monitor);
  let pending = 0;
  monitor.registerResource = (req, callback) => {
    pending++;
    return register(req, (err, res) => {
      pending--;
      if (res !== undefined) {
        resources.push({
          type: req.getType(),
          name: req.getName(),
          urn: res.getUrn(),
          parent: req.getParent(),
          dependencies: req.getDependenciesList(),
          inputs: inputsByKey.get(`${req.getType()}::${req.getName()}`) ?? {},
        });
      }
      callback(err, res);
    });
  };

  const read = monitor.readResource.bind(monitor);
  monitor.readResource = (req, callback) => {
    reads.push({ type: req.getType(), name: req.getName() });
    return read(req, callback);
  };
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, callback) => {
    componentOutputs.set(req.getUrn(), req.getOutputs()?.toJavaScript() ?? {});
    return registerOutputs(req, callback);
  };

  return {
    resources,
    reads,
    componentOutputs,
    async settled() {
      let quietTicks = 0;
      let lastCount = -1;
      // Registrations chain on each other's URNs; wait until none is in flight for a while.
      while (quietTicks < 20) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        if (pending === 0 && resources.length === lastCount) quietTicks++;
        else quietTicks = 0;
        lastCount = resources.length;
      }
    },
  };
}

export function ofType(run: MockRun, type: string): RecordedResource[] {
  return run.resources.filter((r) => r.type === type);
}

/** The Kubernetes object a resource asks for, by its `metadata.name`. */
export function k8sObject(run: MockRun, type: string, name: string): Record<string, any> {
  const found = run.resources.find((r) => r.type === type && (r.inputs.metadata as { name?: string } | undefined)?.name === name);
  if (found === undefined) throw new Error(`no ${type} named ${name}; have: ${run.resources.map((r) => `${r.type} ${JSON.stringify((r.inputs.metadata as { name?: string } | undefined)?.name)}`).join(", ")}`);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read deep into arbitrary manifests
  return found.inputs as Record<string, any>;
}

export function resourceByObjectName(run: MockRun, type: string, name: string): RecordedResource {
  const found = run.resources.find((r) => r.type === type && (r.inputs.metadata as { name?: string } | undefined)?.name === name);
  if (found === undefined) throw new Error(`no ${type} named ${name}`);
  return found;
}

/** The outputs the one component of `type` registered. */
export async function registeredOutputs(run: MockRun, type: string): Promise<Record<string, unknown>> {
  await run.settled();
  const components = run.resources.filter((r) => r.type === type);
  if (components.length !== 1) throw new Error(`expected one ${type}, found ${components.length}`);
  const outputs = run.componentOutputs.get(components[0]!.urn);
  if (outputs === undefined) throw new Error(`${type} registered no outputs`);
  return outputs;
}
