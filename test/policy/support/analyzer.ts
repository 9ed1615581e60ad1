// The policy pack served and judged as the Pulumi engine does it, over the
// real analyzer protocol: the pack started the way the CLI starts it here (the
// `pulumi-analyzer-policy-nodejs` plugin in the pack's directory, with the
// engine's address and `.`; it prints its port), GetAnalyzerInfo, the config
// reconciled from the schema's defaults and a config file then sent with
// Configure, and then, per resource, Remediate and Analyze with its inputs,
// and AnalyzeStack once with every resource's outputs
// (pkg/engine/update.go and pkg/resource/deploy/step_generator.go in pulumi
// v3.259.0). Used by the protocol tests and the benchmark.
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import {
  AnalyzerInfo,
  AnalyzeRequest,
  AnalyzerResource,
  AnalyzerResourceOptions,
  AnalyzeResponse,
  AnalyzeStackRequest,
  ConfigureAnalyzerRequest,
  EnforcementLevel,
  PolicyConfig,
} from "@pulumi/pulumi/proto/analyzer_pb";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

export const POLICY_DIR = join(__dirname, "..", "..", "..", "policy");
export const ANALYZER_PLUGIN = join(__dirname, "..", "..", "standins", "bin", "pulumi-analyzer-policy-nodejs");

/**
 * Why the pack's build (policy/bin, what the engine runs) may not be its
 * sources, or undefined when it is up to date. `tools/run` rebuilds it; a
 * test that served a stale build would judge yesterday's policies.
 */
export function staleBuild(): string | undefined {
  const built = join(POLICY_DIR, "bin", "index.js");
  if (!existsSync(built)) return `${built} is missing: run tools/run true (or npm run build in policy/)`;
  const builtAt = statSync(built).mtimeMs;
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? (["node_modules", "bin"].includes(entry.name) ? [] : sources(join(dir, entry.name))) : entry.name.endsWith(".ts") || entry.name.endsWith(".schema.json") ? [join(dir, entry.name)] : [],
    );
  const newer = sources(POLICY_DIR).filter((file) => statSync(file).mtimeMs > builtAt);
  return newer.length === 0 ? undefined : `policy/bin is older than ${newer.join(", ")}: run tools/run true (or npm run build in policy/)`;
}

export type Level = "advisory" | "mandatory" | "disabled" | "remediate";

const LEVELS: Record<Level, EnforcementLevel> = {
  advisory: EnforcementLevel.ADVISORY,
  mandatory: EnforcementLevel.MANDATORY,
  disabled: EnforcementLevel.DISABLED,
  remediate: EnforcementLevel.REMEDIATE,
};

function levelName(level: EnforcementLevel): Level {
  const found = (Object.keys(LEVELS) as Level[]).find((name) => LEVELS[name] === level);
  if (found === undefined) throw new Error(`unknown enforcement level ${level}`);
  return found;
}

/** One resource as the engine knows it: inputs go to Analyze, outputs to AnalyzeStack. */
export interface EngineResource {
  readonly type: string;
  readonly urn: string;
  readonly name: string;
  /** @default "" */
  readonly parent?: string;
  /** @default [] */
  readonly dependencies?: readonly string[];
  readonly inputs: Record<string, unknown>;
  readonly outputs: Record<string, unknown>;
  /** A resource the program reads (a StackReference): the engine analyzes it with the stack only. @default false */
  readonly readOnly?: boolean;
}

export interface Verdict {
  readonly policy: string;
  readonly level: Level;
  readonly message: string;
  /** The resource the violation names; "" for the stack as a whole. */
  readonly urn: string;
  /** Which call reported it. */
  readonly call: "analyze" | "analyzeStack";
}

export interface PolicyConfigEntry {
  readonly enforcementLevel: Level;
  readonly properties: Record<string, unknown>;
}

/** A policy-pack config file as the engine reads it: a level, or an object with `enforcementLevel` and properties. */
export type PolicyConfigFile = Record<string, Level | ({ enforcementLevel?: Level } & Record<string, unknown>)>;

/**
 * The config the engine sends (resource/analyzer/config.go's
 * ReconcilePolicyPackConfig): each policy's level and schema defaults, then
 * `all`, then each policy's entry in the file. (The engine also validates the
 * result against each schema; the end-to-end test checks that refusal.)
 */
export function reconcileConfig(info: AnalyzerInfo, file: PolicyConfigFile): Map<string, PolicyConfigEntry> {
  const result = new Map<string, PolicyConfigEntry>();
  for (const policy of info.getPoliciesList()) {
    const schema = (policy.getConfigschema()?.getProperties()?.toJavaScript() ?? {}) as Record<string, { default?: unknown }>;
    const defaults = Object.fromEntries(Object.entries(schema).flatMap(([key, property]) => ("default" in property ? [[key, property.default]] : [])));
    result.set(policy.getName(), { enforcementLevel: levelName(policy.getEnforcementlevel()), properties: defaults });
  }
  const all = file["all"];
  if (typeof all === "string") for (const [name, entry] of result) result.set(name, { ...entry, enforcementLevel: all });
  for (const [name, given] of Object.entries(file)) {
    if (name === "all") continue;
    const before = result.get(name) ?? { enforcementLevel: "advisory" as Level, properties: {} };
    if (typeof given === "string") {
      result.set(name, { ...before, enforcementLevel: given });
    } else {
      const { enforcementLevel, ...properties } = given;
      result.set(name, { enforcementLevel: enforcementLevel ?? before.enforcementLevel, properties: { ...before.properties, ...properties } });
    }
  }
  return result;
}

export function readConfigFile(environment: string): PolicyConfigFile {
  return JSON.parse(readFileSync(join(POLICY_DIR, "config", `${environment}.json`), "utf8")) as PolicyConfigFile;
}

/** JSON values only, as the engine marshals them (undefined dropped). */
function struct(value: Record<string, unknown>): Struct {
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(value)) as Parameters<typeof Struct.fromJavaScript>[0]);
}

function options(resource: EngineResource): AnalyzerResourceOptions {
  const opts = new AnalyzerResourceOptions();
  opts.setParent(resource.parent ?? "");
  return opts;
}

function call<Req, Res>(method: (request: Req, callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown, request: Req): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, (error, response) => (error === null ? resolve(response) : reject(error)));
  });
}

function verdicts(response: AnalyzeResponse, kind: Verdict["call"]): Verdict[] {
  return response.getDiagnosticsList().map((d) => ({
    policy: d.getPolicyname(),
    level: levelName(d.getEnforcementlevel()),
    message: d.getMessage(),
    urn: d.getUrn(),
    call: kind,
  }));
}

export class ServedPack {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: AnalyzerClient,
    /** What the pack printed on stderr, for failures. */
    readonly stderr: () => string,
  ) {}

  /** Starts the pack as the CLI does here and connects to the port it prints. */
  static async start(options: { readonly timeoutMs?: number } = {}): Promise<ServedPack> {
    const stale = staleBuild();
    if (stale !== undefined) throw new Error(stale);
    // The engine passes its own address; the Node.js pack never calls back into it.
    const child = spawn(ANALYZER_PLUGIN, ["127.0.0.1:1", "."], {
      cwd: POLICY_DIR,
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env["PATH"] ?? ""}` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      let stdout = "";
      const timer = setTimeout(() => reject(new Error(`the pack printed no port within ${options.timeoutMs ?? 60_000} ms; stderr:\n${stderr}`)), options.timeoutMs ?? 60_000);
      child.stdout?.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const line = /^(\d+)\s*$/m.exec(stdout);
        if (line !== null) {
          clearTimeout(timer);
          resolve(Number(line[1]));
        }
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the pack exited (${code}) before printing its port; stderr:\n${stderr}`));
      });
    });
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new ServedPack(child, client, () => stderr);
  }

  info(): Promise<AnalyzerInfo> {
    return call(this.client.getAnalyzerInfo.bind(this.client), new Empty());
  }

  /** Reconciles `file` with the pack's defaults and sends it with Configure, as the engine does before an update. */
  async configure(file: PolicyConfigFile): Promise<Map<string, PolicyConfigEntry>> {
    const config = reconcileConfig(await this.info(), file);
    const request = new ConfigureAnalyzerRequest();
    for (const [name, entry] of config) {
      const policyConfig = new PolicyConfig();
      policyConfig.setEnforcementlevel(LEVELS[entry.enforcementLevel]);
      policyConfig.setProperties(struct(entry.properties));
      request.getPolicyconfigMap().set(name, policyConfig);
    }
    await call(this.client.configure.bind(this.client), request);
    return config;
  }

  /** Remediate and Analyze with the resource's inputs, as the engine does before each step. */
  async analyze(resource: EngineResource): Promise<Verdict[]> {
    const request = new AnalyzeRequest();
    request.setType(resource.type);
    request.setUrn(resource.urn);
    request.setName(resource.name);
    request.setProperties(struct(resource.inputs));
    request.setOptions(options(resource));
    await call(this.client.remediate.bind(this.client), request);
    return verdicts(await call(this.client.analyze.bind(this.client), request), "analyze");
  }

  /** AnalyzeStack with every resource's outputs, as the engine does once the steps are done. */
  async analyzeStack(resources: readonly EngineResource[]): Promise<Verdict[]> {
    const request = new AnalyzeStackRequest();
    request.setResourcesList(
      resources.map((resource) => {
        const r = new AnalyzerResource();
        r.setType(resource.type);
        r.setUrn(resource.urn);
        r.setName(resource.name);
        r.setProperties(struct(resource.outputs));
        r.setOptions(options(resource));
        r.setParent(resource.parent ?? "");
        r.setDependenciesList([...(resource.dependencies ?? [])]);
        return r;
      }),
    );
    return verdicts(await call(this.client.analyzeStack.bind(this.client), request), "analyzeStack");
  }

  /** Everything an update reports: Analyze for each resource, then AnalyzeStack. */
  async judge(resources: readonly EngineResource[]): Promise<Verdict[]> {
    const perResource: Verdict[] = [];
    for (const resource of resources) if (resource.readOnly !== true) perResource.push(...(await this.analyze(resource)));
    return [...perResource, ...(await this.analyzeStack(resources))];
  }

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null || this.child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    process.kill(this.child.pid, "SIGTERM");
    await exited;
  }
}
