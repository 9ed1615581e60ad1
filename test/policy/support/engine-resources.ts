// The resources the program produces for a stack, as the engine hands them to
// an analyzer: the program run under Pulumi's mocks (test/support) as a
// preview (where stack policies refuse; the update pass would stop at the
// program's own gate first), each registered resource's inputs (which the
// Kubernetes provider echoes as its outputs, as the mocks do), and the root
// Stack resource with the stack outputs. Not what the program reads: the
// engine hands a stack policy no read (its StackReference to its own last
// outputs), so what served before reaches the pack on the DeploymentRecord.
import { program, type ProgramOptions, type StackOutputs } from "../../../program";
import { gatherWith } from "../../support/checklist-fixtures";
import { startMockRun } from "../../support/pulumi-mocks";
import { asAllConfig, CREDENTIAL_KEYS, editedRaw, type StackEdit } from "../../support/run-program";
import type { EngineResource } from "./analyzer";

export const PROJECT = "safe-deploy";

export interface ProgramRun {
  readonly resources: EngineResource[];
  readonly outputs: StackOutputs;
}

export function rootStackUrn(stack: string): string {
  return `urn:pulumi:${stack}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${stack}`;
}

/**
 * Runs the program for `stack` (edited as an operator would edit the stack
 * file) and returns what the engine would hand the pack. `previousServices`
 * is the `services` output the last update left, which the program's
 * StackReference to its own stack reads (and writes on the DeploymentRecord
 * as each service's `from`); undefined: no update yet. The
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
  const run = await startMockRun({ stack, config: asAllConfig(editedRaw(stack, edit)), referencedOutputs, preview: true, secretKeys: CREDENTIAL_KEYS });
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
  return { resources: [stackResource, ...registered], outputs };
}
