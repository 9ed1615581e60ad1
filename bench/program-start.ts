// Benchmark (not a test): how long `pulumi up` takes to start index.ts on a
// user's machine, where the Node.js language host runs it with ts-node (there
// is no language host here; tools/rehearsal/program-start.ts runs the
// runner's own steps). Type-checked with tsconfig.json (what the runner did
// before Pulumi.yaml named tsconfig.pulumi.json) against transpile-only with
// the tsconfig Pulumi.yaml names; the CLI starts the program once for the
// preview pass and once more for the update, so each `pulumi up --yes` pays
// the start twice.
//   tools/run npm run bench:start      (bench:rollback prints it too)
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { programStartScript, pulumiTsconfig, type ProgramStart } from "../tools/rehearsal/program-start";

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(__dirname, "..");

async function startMs(tsconfig: string): Promise<ProgramStart> {
  const { stdout } = await execFileAsync(process.execPath, ["-e", programStartScript(ROOT, tsconfig)], { cwd: ROOT, maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as ProgramStart;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Prints the start of index.ts each way, medians of `runs` fresh processes, one after another. */
export async function printProgramStart(runs: number): Promise<void> {
  const ways = [
    { what: "type-checked (tsconfig.json)", tsconfig: "tsconfig.json" },
    { what: `as pulumi up starts it (${pulumiTsconfig(ROOT)})`, tsconfig: pulumiTsconfig(ROOT) },
  ];
  console.log(`\nstarting index.ts as Pulumi's Node.js runner does (ts-node), ${runs} fresh processes each, seconds`);
  console.log(`${"how".padEnd(52)}${"median".padStart(8)}${"x2 passes".padStart(11)}  transpile-only`);
  for (const way of ways) {
    const starts: ProgramStart[] = [];
    for (let i = 0; i < runs; i++) starts.push(await startMs(way.tsconfig));
    const ms = median(starts.map((s) => s.ms));
    console.log(`${way.what.padEnd(52)}${(ms / 1000).toFixed(2).padStart(8)}${((2 * ms) / 1000).toFixed(2).padStart(11)}  ${starts[0]?.transpileOnly}`);
  }
  console.log("(`pulumi up --yes` starts the program twice: the preview pass, then the update)");
}

if (require.main === module) {
  printProgramStart(Number(process.env["BENCH_RUNS"] ?? 3)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
