// Benchmark (not a test): evaluates the program under Pulumi's mocks for 1, 10,
// 100 and 500 services and prints wall time, resources registered and memory,
// each size in a fresh Node process so one size's heap does not colour the next.
//   tools/run npm run bench            all sizes
//   tools/run npx tsx bench/program-scale.ts 100   one size (what each child runs)
import { execFileSync } from "node:child_process";
import { program } from "../program";
import { startMockRun } from "../test/support/pulumi-mocks";

const SIZES = [1, 10, 100, 500];
const RUNS_PER_SIZE = 3;

/** N services keyed by name, cycling through the three strategies, the middle one with a migration. */
function servicesConfig(count: number): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`svc-${i}`, serviceConfig(i)]));
}

function serviceConfig(i: number): Record<string, unknown> {
  const base = { image: `registry.example.com/shop/svc-${i}`, replicas: 4 };
  switch (i % 3) {
    case 0:
      return { ...base, strategy: "rolling", version: "v2.4.0", previousVersion: "v2.3.1" };
    case 1:
      return {
        ...base,
        strategy: "blue-green",
        blueVersion: "v3.1.0",
        greenVersion: "v3.2.0",
        liveSlot: "green",
        migration: { name: `svc-${i}-migrate`, command: ["./migrate"], kind: "expand" },
      };
    default:
      return { ...base, strategy: "canary", stableVersion: "v4.0.3", canaryVersion: "v4.1.0", canaryWeight: 20, replicas: 10 };
  }
}

interface Measurement {
  readonly services: number;
  readonly resources: number;
  readonly ms: number;
  readonly heapMiB: number;
  readonly rssMiB: number;
}

async function measureOnce(count: number): Promise<Measurement> {
  const run = await startMockRun({
    stack: "production",
    config: {
      "safe-deploy:environment": "production",
      "safe-deploy:namespace": "bench",
      "safe-deploy:services": JSON.stringify(servicesConfig(count)),
    },
  });
  const start = process.hrtime.bigint();
  await program();
  await run.settled();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const memory = process.memoryUsage();
  return { services: count, resources: run.resources.length, ms, heapMiB: memory.heapUsed / 2 ** 20, rssMiB: memory.rss / 2 ** 20 };
}

function runChild(count: number): Measurement {
  const out = execFileSync(process.execPath, [...process.execArgv, __filename, String(count)], { encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as Measurement;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  const sizeArg = process.argv[2];
  if (sizeArg !== undefined) {
    process.stdout.write(`${JSON.stringify(await measureOnce(Number(sizeArg)))}\n`);
    return;
  }
  console.log(`program under mocks, Node ${process.version}, ${RUNS_PER_SIZE} runs per size (median, min-max), fresh process each run`);
  console.log("services  resources  time ms (min-max)        ms/service  heap MiB  rss MiB");
  for (const size of SIZES) {
    const runs = Array.from({ length: RUNS_PER_SIZE }, () => runChild(size));
    const ms = runs.map((r) => r.ms);
    const row = [
      String(size).padStart(8),
      String(runs[0]?.resources ?? 0).padStart(10),
      `${median(ms).toFixed(0).padStart(7)} (${Math.min(...ms).toFixed(0)}-${Math.max(...ms).toFixed(0)})`.padEnd(24),
      (median(ms) / size).toFixed(2).padStart(10),
      median(runs.map((r) => r.heapMiB)).toFixed(1).padStart(9),
      median(runs.map((r) => r.rssMiB)).toFixed(1).padStart(8),
    ];
    console.log(row.join("  "));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
