// The resources the program produces for a stack, as the engine hands them to
// an analyzer: the program run under Pulumi's mocks (test/support), each
// registered resource's inputs (which the Kubernetes provider echoes as its
// outputs, as the mocks do), the resources the program reads (the
// StackReference the production program holds to itself, with the outputs of
// "the last update"), and the root Stack resource with the stack outputs.
import * as pulumi from "@pulumi/pulumi";
import { program, type ProgramOptions, type StackOutputs } from "../../../program";
import { gatherWith } from "../../support/checklist-fixtures";
import { startMockRun } from "../../support/pulumi-mocks";
import { asAllConfig, editedRaw, type StackEdit } from "../../support/run-program";
import type { EngineResource } from "./analyzer";

export const PROJECT = "safe-deploy";

export interface ProgramRun {
  readonly resources: EngineResource[];
  readonly outputs: StackOutputs;
}

export function rootStackUrn(stack: string): string {
  return `urn:pulumi:${stack}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${stack}`;
}

interface ReadRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
}

interface ReadResponse {
  getUrn(): string;
  getProperties(): { toJavaScript(): Record<string, unknown> } | undefined;
}

interface ReadingMonitor {
  readResource(req: ReadRequest, callback: (err: unknown, res: ReadResponse | undefined) => void): Promise<void>;
}

/** Records what the program reads (ReadResource), which the mocks' recorder leaves out. */
function recordReads(): EngineResource[] {
  const reads: EngineResource[] = [];
  const monitor = pulumi.runtime.getMonitor() as unknown as ReadingMonitor;
  const read = monitor.readResource.bind(monitor);
  monitor.readResource = (req, callback) =>
    read(req, (err, res) => {
      if (res !== undefined) {
        const state = res.getProperties()?.toJavaScript() ?? {};
        reads.push({ type: req.getType(), urn: res.getUrn(), name: req.getName(), parent: req.getParent(), inputs: state, outputs: state, readOnly: true });
      }
      callback(err, res);
    });
  return reads;
}

/**
 * Runs the program for `stack` (edited as an operator would edit the stack
 * file) and returns what the engine would hand the pack. `previousServices`
 * is the `services` output the last update left, which the program's
 * StackReference to its own stack reads; undefined: no update yet. The
 * checklist is gathered by `options.gather`: every item passes unless a test
 * says otherwise.
 */
export async function programResources(
  stack: string,
  edit?: StackEdit,
  previousServices?: StackOutputs["services"],
  /** @default every checklist item passes */
  options: ProgramOptions = { gather: gatherWith() },
): Promise<ProgramRun> {
  const referencedOutputs = previousServices === undefined ? {} : { services: previousServices };
  const run = await startMockRun({ stack, config: asAllConfig(editedRaw(stack, edit)), referencedOutputs });
  const reads = recordReads();
  const outputs = await program(options);
  await run.settled();
  const root = rootStackUrn(stack);
  const registered: EngineResource[] = run.resources.map((r) => ({
    type: r.type,
    urn: r.urn,
    name: r.name,
    parent: r.parent === "" ? root : r.parent,
    dependencies: r.dependencies,
    inputs: r.inputs,
    outputs: r.inputs,
  }));
  // `served` is an Output read from objects the mocks never make ready; no policy reads it.
  const { served: _served, ...plainOutputs } = outputs;
  const stackResource: EngineResource = { type: "pulumi:pulumi:Stack", urn: root, name: `${PROJECT}-${stack}`, inputs: {}, outputs: plainOutputs as unknown as Record<string, unknown> };
  return { resources: [stackResource, ...reads.map((r) => ({ ...r, parent: r.parent === "" ? root : r.parent })), ...registered], outputs };
}
