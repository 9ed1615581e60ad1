// `npm run stress:timing`: runs each test file whose outcome could depend on timing many times in
// a row, with every core kept busy by spinning processes, and prints how many runs passed. Not
// part of `npm test`: it shows that those files hold on a loaded machine, which one run cannot.
//
//   tools/run npm run stress:timing                      # every file below, 50 runs each
//   STRESS_RUNS=10 tools/run npm run stress:timing smoke  # only entries whose file contains "smoke"
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";

interface Entry {
  readonly file: string;
  /** Only the tests whose names match (vitest's -t): the timed ones, where the file's set-up is costly. */
  readonly tests?: string;
}

// Every file with an assertion on a time bound, or an outcome that depends on which of two
// timers fires first (a bound against a source that hangs, a deadline against retries).
const ENTRIES: readonly Entry[] = [
  { file: "test/checks/smoke.test.ts" },
  { file: "test/checks/verify.test.ts" },
  { file: "test/checks/endpoint-slices.test.ts" },
  { file: "test/checks/cli.test.ts", tests: "smoke|verify|never answers" },
  { file: "test/checklist/gather.unit.test.ts", tests: "never answers" },
  { file: "test/checklist/github.test.ts", tests: "within its bound" },
  { file: "test/checklist/alertmanager.test.ts", tests: "within its bound" },
  { file: "test/checklist/registry.test.ts", tests: "within its bound" },
  { file: "test/checklist/prometheus-rules.test.ts", tests: "within its bound" },
  { file: "test/prometheus/canary-analysis.test.ts", tests: "within the query timeout" },
  { file: "test/checks/endpoint-slices.cluster.test.ts" },
  { file: "test/checks/port-forward-target.cluster.test.ts" },
  { file: "test/checklist/cluster.cluster.test.ts", tests: "bound" },
];

const runs = Number(process.env.STRESS_RUNS ?? "50");
if (!Number.isInteger(runs) || runs < 1) throw new Error(`STRESS_RUNS must be a whole number above 0 (got '${process.env.STRESS_RUNS}')`);
const filters = process.argv.slice(2);
const entries = ENTRIES.filter((entry) => filters.length === 0 || filters.some((filter) => entry.file.includes(filter)));
if (entries.length === 0) throw new Error(`no timing-sensitive file matches ${filters.join(", ")}; the files are:\n${ENTRIES.map((e) => e.file).join("\n")}`);

// One spinning process per core: the tests share the machine as they do beside the unit tier in CI.
const spinners: ChildProcess[] = Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
const stopSpinners = () => spinners.forEach((child) => child.kill("SIGKILL"));
process.on("exit", stopSpinners);
process.on("SIGINT", () => process.exit(130));

const logs = mkdtempSync(join(tmpdir(), "timing-stress-"));
console.log(`${runs} runs of each of ${entries.length} file(s), ${spinners.length} core(s) kept busy; failed runs' output in ${logs}`);

let allPassed = true;
for (const entry of entries) {
  const args = ["vitest", "run", entry.file, ...(entry.tests === undefined ? [] : ["-t", entry.tests])];
  let passed = 0;
  let streak = 0;
  let longestStreak = 0;
  const started = performance.now();
  for (let run = 1; run <= runs; run += 1) {
    const result = spawnSync("npx", args, { encoding: "utf8", env: { ...process.env, CI: "true" } });
    if (result.status === 0) {
      passed += 1;
      streak += 1;
      longestStreak = Math.max(longestStreak, streak);
    } else {
      streak = 0;
      const log = join(logs, `${entry.file.replaceAll("/", "_")}.run${run}.log`);
      writeFileSync(log, `${result.stdout}\n${result.stderr}`);
      console.log(`  ${entry.file}: run ${run} FAILED (exit ${result.status ?? result.signal}), see ${log}`);
    }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  const scope = entry.tests === undefined ? "" : ` (tests matching /${entry.tests}/)`;
  console.log(`${entry.file}${scope}: ${passed}/${runs} passed, longest run of passes ${longestStreak}, ${seconds} s`);
  allPassed &&= passed === runs;
}
process.exitCode = allPassed ? 0 : 1;
