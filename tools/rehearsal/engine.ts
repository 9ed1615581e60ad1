// The real Pulumi engine running safe-deploy's program as an Automation API
// inline program: a local file backend, the passphrase secrets provider and a
// private PULUMI_HOME in a temporary directory, the stack's own
// Pulumi.<stack>.yaml plus an overlay that points Kubernetes at the local
// cluster. No account and no network.
//
// On this machine the provider plugins are stand-ins found on PATH
// (test/standins/bin, see README.md); on a user's machine the ordinary Pulumi
// installation brings the real ones and none of this is needed.
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse, stringify } from "yaml";
import { program, type ProgramOptions } from "../../program";
import { readThrough, stackOutputsSchema, type StackOutputsData } from "../../lib/stack-outputs";
import { toolchainBin, toolchainBinDir, toolchainCache } from "../toolchain/paths";

const execFileAsync = promisify(execFile);

export const PROJECT_ROOT = path.join(__dirname, "..", "..");
export const STANDIN_BIN = path.join(PROJECT_ROOT, "test", "standins", "bin");
export const PROJECT_NAME = "safe-deploy";

/** Not a secret: it guards throwaway rehearsal state in a temporary directory. */
const REHEARSAL_PASSPHRASE = "safe-deploy-rehearsal";

export interface EngineStackOptions {
  /** `staging` or `production`: picks Pulumi.<stack>.yaml. */
  readonly stack: string;
  readonly kubeconfigPath: string;
  /** A directory of this run's own: backend state, PULUMI_HOME and the workspace go here. */
  readonly dir: string;
  /** Changes to the stack file's config before the first update, as `pulumi config set --path` would make them. */
  readonly config?: Readonly<Record<string, string | number | boolean>>;
  /** Edits the stack file's `config:` block before it is copied in (e.g. to keep one service). @default - as shipped */
  readonly editStackFile?: (config: Record<string, unknown>) => void;
  /** Put the stand-in provider plugins first on PATH. @default true */
  readonly standins?: boolean;
  /** Extra environment for the engine and its plugins. @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** The state backend's directory; stacks that share it can read each other's outputs (staging-first). @default `<dir>/state` */
  readonly backendDir?: string;
  /** What the harness sets in the program: the checklist's clock, a shorter bound. @default {} */
  readonly programOptions?: ProgramOptions;
}

export interface EngineStack {
  readonly stack: Stack;
  /** The workspace: Pulumi.yaml and this stack's Pulumi.<stack>.yaml, copied from the project. */
  readonly workDir: string;
  /** The environment the engine runs with (PATH, backend, home, passphrase, KUBECONFIG). */
  readonly env: Readonly<Record<string, string>>;
  /** Runs the Pulumi CLI in the workspace, e.g. `config set --path ...`. */
  cli(args: readonly string[]): Promise<{ stdout: string; stderr: string }>;
}

function enginePath(standins: boolean): string {
  const parts = [
    ...(standins ? [STANDIN_BIN] : []),
    toolchainBinDir(),
    // The Node running us (Node >= 22) must also run the plugins.
    path.dirname(process.execPath),
    process.env["PATH"] ?? "",
  ];
  return parts.join(path.delimiter);
}

export async function openEngineStack(options: EngineStackOptions): Promise<EngineStack> {
  const workDir = path.join(options.dir, "workspace");
  const pulumiHome = path.join(options.dir, "pulumi-home");
  const backend = options.backendDir ?? path.join(options.dir, "state");
  for (const dir of [workDir, pulumiHome, backend]) fs.mkdirSync(dir, { recursive: true });
  // The project file as shipped, less `main`: the program is inline here, and the CLI checks that `main` exists.
  const project = parse(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
  delete project["main"];
  fs.writeFileSync(path.join(workDir, "Pulumi.yaml"), stringify(project));
  // The policy pack where a user's checkout has it, so a printed `--policy-pack policy` line runs here as typed.
  if (!fs.existsSync(path.join(workDir, "policy"))) fs.symlinkSync(path.join(PROJECT_ROOT, "policy"), path.join(workDir, "policy"));
  const stackFile = `Pulumi.${options.stack}.yaml`;
  if (options.editStackFile === undefined) {
    fs.copyFileSync(path.join(PROJECT_ROOT, stackFile), path.join(workDir, stackFile));
  } else {
    const parsed = parse(fs.readFileSync(path.join(PROJECT_ROOT, stackFile), "utf8")) as { config: Record<string, unknown> };
    options.editStackFile(parsed.config);
    fs.writeFileSync(path.join(workDir, stackFile), stringify(parsed));
  }

  const env: Record<string, string> = {
    PATH: enginePath(options.standins ?? true),
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_CONFIG_PASSPHRASE: REHEARSAL_PASSPHRASE,
    PULUMI_HOME: pulumiHome,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    KUBECONFIG: options.kubeconfigPath,
    ...options.env,
  };
  // PulumiCommand.get wants the installation root: `<root>/bin/pulumi`.
  if (!fs.existsSync(toolchainBin("pulumi"))) throw new Error(`no Pulumi CLI at ${toolchainBin("pulumi")}; run bash tools/toolchain/ensure.sh`);
  const pulumiCommand = await PulumiCommand.get({ root: toolchainCache() });

  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: options.stack, projectName: PROJECT_NAME, program: () => program(options.programOptions) },
    { workDir, pulumiHome, envVars: env, pulumiCommand },
  );
  // The overlay: the Kubernetes provider's cluster is the local one.
  await stack.setConfig("kubernetes:kubeconfig", { value: options.kubeconfigPath });
  for (const [key, value] of Object.entries(options.config ?? {})) {
    await stack.setConfig(key, { value: String(value) }, true);
  }

  const cli = async (args: readonly string[]) =>
    execFileAsync(toolchainBin("pulumi"), [...args, "--non-interactive"], {
      cwd: workDir,
      env: { ...process.env, ...env },
      maxBuffer: 16 * 2 ** 20,
    });
  return { stack, workDir, env, cli };
}

/** The stack outputs the last update stored, read through the outputs' contract (lib/stack-outputs.ts): a mismatch throws, naming it. */
export async function stackOutputs(engine: EngineStack): Promise<StackOutputsData> {
  const outputs = await engine.stack.outputs();
  const read = readThrough(stackOutputsSchema, Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value])), `the outputs of stack ${engine.stack.name}`);
  if (!read.known) throw new Error(read.reason);
  return read.value;
}
