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

interface Monitor {
  registerResource(req: RegisterRequest, callback: (err: unknown, res: RegisterResponse | undefined) => void): Promise<void>;
}

export async function startMockRun(options: { stack: string; config?: Record<string, string>; preview?: boolean }): Promise<MockRun> {
  const resources: RecordedResource[] = [];
  const inputsByKey = new Map<string, Record<string, unknown>>();
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        inputsByKey.set(`${args.type}::${args.name}`, args.inputs as Record<string, unknown>);
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "safe-deploy",
    options.stack,
    options.preview ?? false,
  );
  pulumi.runtime.setAllConfig(options.config ?? {});

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

  return {
    resources,
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
