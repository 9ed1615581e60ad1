// How `pulumi up` starts index.ts on a user's machine, in a script a fresh
// Node process runs: the Node.js language host passes Pulumi.yaml's
// `runtime.options.tsconfig` as PULUMI_NODEJS_TSCONFIG_PATH, and Pulumi's
// runner (@pulumi/pulumi/cmd/run/run.js) reads that file's own compilerOptions
// with the SDK's tsutils, transpiles only when they set `noCheck`, and
// registers ts-node with them over its defaults. There is no language host
// here (../shared/TOOLCHAIN.md), so the entry-point test and the start
// benchmark run these same steps instead.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** The tsconfig `pulumi up` starts the program with: Pulumi.yaml's runtime.options.tsconfig, else tsconfig.json. */
export function pulumiTsconfig(projectRoot: string): string {
  const project = parse(fs.readFileSync(path.join(projectRoot, "Pulumi.yaml"), "utf8")) as {
    runtime?: string | { options?: { tsconfig?: unknown } };
  };
  const configured = typeof project.runtime === "object" ? project.runtime.options?.tsconfig : undefined;
  return typeof configured === "string" ? configured : "tsconfig.json";
}

/** What the start script prints as its one line of JSON. */
export interface ProgramStart {
  /** What the runner decided: true when the tsconfig sets noCheck. */
  readonly transpileOnly: boolean;
  /** `typeof` the entry module: the program function itself when index.ts `export =`s it. */
  readonly entryKind: string;
  /** The entry module is program.ts's `program`. */
  readonly entryIsProgram: boolean;
  /** From the script's start to index.ts loaded, in ms. */
  readonly ms: number;
}

/**
 * A script for `node -e` (run with the project root as cwd) that registers
 * ts-node as Pulumi's runner does with `tsconfig`, loads index.ts, and prints
 * a ProgramStart.
 */
export function programStartScript(projectRoot: string, tsconfig: string): string {
  const at = (file: string) => JSON.stringify(path.join(projectRoot, file));
  return `
    const started = process.hrtime.bigint();
    const tsutils = require(${at("node_modules/@pulumi/pulumi/tsutils.js")});
    const compilerOptions = tsutils.loadTypeScriptCompilerOptions(${at(tsconfig)});
    const transpileOnly = compilerOptions.noCheck === true;
    require(${at("node_modules/ts-node")}).register({
      compiler: "typescript",
      transpileOnly,
      project: ${at(tsconfig)},
      skipProject: false,
      compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...compilerOptions },
    });
    const entry = require(${at("index.ts")});
    const { program } = require(${at("program.ts")});
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(JSON.stringify({ transpileOnly, entryKind: typeof entry, entryIsProgram: entry === program, ms }));
  `;
}
