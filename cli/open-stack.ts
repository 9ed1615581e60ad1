// The stack a `safe-deploy` command acts on: the project in the current
// directory (Pulumi.yaml, Pulumi.<stack>.yaml, policy/), the very program
// `pulumi up` runs, as an Automation API inline program, and the policy pack
// with the config of the stack's environment, always: there is no way to
// leave it out.
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import * as path from "node:path";
import { environmentSchema, type Environment } from "../config/fields";
import { program } from "../program";

export const PROJECT_NAME = "safe-deploy";

export interface OpenedStack {
  readonly stack: Stack;
  readonly environment: Environment;
  /** The stack's config as the engine hands it to the program (`safe-deploy:services` and the rest), read once. */
  readonly config: Readonly<Record<string, string>>;
  /** The pack and its config, as every preview and update passes them. */
  readonly policy: { readonly policyPacks: string[]; readonly policyPackConfigs: string[] };
}

/** An error that names what the operator must fix; the command exits as refused, before anything ran. */
export class CommandInputError extends Error {
  override readonly name = "CommandInputError";
}

export interface OpenOptions {
  /** The project directory. @default the current directory */
  readonly projectDir?: string;
  /** Create the stack when it does not exist yet (a first preview or update). @default false */
  readonly create?: boolean;
}

export async function openStack(stackName: string, options: OpenOptions = {}): Promise<OpenedStack> {
  const projectDir = path.resolve(options.projectDir ?? process.cwd());
  for (const needed of ["Pulumi.yaml", path.join("policy", "PulumiPolicy.yaml")]) {
    if (!fs.existsSync(path.join(projectDir, needed))) {
      throw new CommandInputError(`${path.join(projectDir, needed)} does not exist: run safe-deploy in the project's directory (where Pulumi.yaml and policy/ are)`);
    }
  }
  const args = { stackName, projectName: PROJECT_NAME, program: () => program() };
  const workspace = { workDir: projectDir };
  const stack = options.create === true ? await LocalWorkspace.createOrSelectStack(args, workspace) : await LocalWorkspace.selectStack(args, workspace);
  const config = await readConfigValues(stack);
  const configured = config["safe-deploy:environment"];
  const environment = environmentSchema.safeParse(configured);
  if (!environment.success) {
    throw new CommandInputError(`safe-deploy:environment of stack ${stackName} must be 'staging' or 'production' (got ${JSON.stringify(configured ?? null)}): it picks the policy config the pack judges by`);
  }
  const packDir = path.join(projectDir, "policy");
  return {
    stack,
    environment: environment.data,
    config,
    policy: { policyPacks: [packDir], policyPackConfigs: [path.join(packDir, "config", `${environment.data}.json`)] },
  };
}

/** The stack's config as the engine hands it to the program: `safe-deploy:services` and the rest, by key. */
export async function readConfigValues(stack: Stack): Promise<Readonly<Record<string, string>>> {
  return Object.fromEntries(Object.entries(await stack.getAllConfig()).map(([key, entry]) => [key, entry.value]));
}
