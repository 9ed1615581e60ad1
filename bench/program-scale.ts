// Benchmark (not a test): evaluates the program under Pulumi's mocks for 1, 10,
// 100 and 500 services and prints wall time, resources registered and memory,
// each size in a fresh Node process so one size's heap does not colour the next,
// beside the floor: the same Kubernetes objects registered bare.
//   tools/run npm run bench            all sizes
import * as pulumi from "@pulumi/pulumi";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { program } from "../program";
import { gatherWith } from "../test/support/checklist-fixtures";
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

const CONFIG = (count: number) => ({
  "safe-deploy:environment": "production",
  "safe-deploy:namespace": "bench",
  "safe-deploy:services": JSON.stringify(servicesConfig(count)),
});

/** The program on `count` services under mocks; with `objectsFile`, also writes the Kubernetes objects it asked for there. */
async function measureProgram(count: number, objectsFile?: string): Promise<Measurement> {
  const run = await startMockRun({ stack: "production", config: CONFIG(count) });
  const start = process.hrtime.bigint();
  // Every checklist item passing: the figures are the program's, not the checklist sources'.
  await program({ gather: gatherWith() });
  await run.settled();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const memory = process.memoryUsage();
  if (objectsFile !== undefined) {
    const objects = run.resources.filter((r) => r.type.startsWith("kubernetes:")).map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));
    fs.writeFileSync(objectsFile, JSON.stringify(objects));
  }
  return { services: count, resources: run.resources.length, ms, heapMiB: memory.heapUsed / 2 ** 20, rssMiB: memory.rss / 2 ** 20 };
}

/** A custom resource of any type token: what the engine sees is the token and the inputs, as the SDK's classes send them. */
class BareObject extends pulumi.CustomResource {
  constructor(type: string, name: string, inputs: Record<string, unknown>) {
    super(type, name, inputs);
  }
}

/**
 * The floor: the same Kubernetes objects registered bare, with no components,
 * no config parsing and no outputs, under the same mocks: what any program
 * that asks for these objects pays.
 */
async function measureFloor(count: number, objectsFile: string): Promise<Measurement> {
  const objects = JSON.parse(fs.readFileSync(objectsFile, "utf8")) as { type: string; name: string; inputs: Record<string, unknown> }[];
  const run = await startMockRun({ stack: "production", config: CONFIG(count) });
  const start = process.hrtime.bigint();
  for (const object of objects) {
    new BareObject(object.type, object.name, object.inputs);
  }
  await run.settled();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const memory = process.memoryUsage();
  return { services: count, resources: run.resources.length, ms, heapMiB: memory.heapUsed / 2 ** 20, rssMiB: memory.rss / 2 ** 20 };
}

function runChild(mode: "program" | "floor", count: number, objectsFile: string): Measurement {
  const out = execFileSync(process.execPath, [...process.execArgv, __filename, mode, String(count), objectsFile], { encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as Measurement;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  const [mode, sizeArg, objectsFile] = process.argv.slice(2);
  if (sizeArg !== undefined && objectsFile !== undefined) {
    const measured = mode === "floor" ? await measureFloor(Number(sizeArg), objectsFile) : await measureProgram(Number(sizeArg), objectsFile);
    process.stdout.write(`${JSON.stringify(measured)}\n`);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safe-deploy-bench-scale-"));
  console.log(`program under mocks, Node ${process.version}, ${RUNS_PER_SIZE} runs per size (median, min-max), fresh process each run`);
  console.log("floor: the same Kubernetes objects registered bare under the same mocks (no components, config or outputs)");
  console.log("services  resources  time ms (min-max)        ms/service  heap MiB  rss MiB   floor ms  k8s objects  x floor");
  try {
    for (const size of SIZES) {
      const objectsFile = path.join(dir, `objects-${size}.json`);
      const runs = Array.from({ length: RUNS_PER_SIZE }, () => runChild("program", size, objectsFile));
      const floors = Array.from({ length: RUNS_PER_SIZE }, () => runChild("floor", size, objectsFile));
      const ms = runs.map((r) => r.ms);
      const floor = median(floors.map((r) => r.ms));
      const row = [
        String(size).padStart(8),
        String(runs[0]?.resources ?? 0).padStart(10),
        `${median(ms).toFixed(0).padStart(7)} (${Math.min(...ms).toFixed(0)}-${Math.max(...ms).toFixed(0)})`.padEnd(24),
        (median(ms) / size).toFixed(2).padStart(10),
        median(runs.map((r) => r.heapMiB)).toFixed(1).padStart(9),
        median(runs.map((r) => r.rssMiB)).toFixed(1).padStart(8),
        floor.toFixed(0).padStart(9),
        String(floors[0]?.resources ?? 0).padStart(11),
        (median(ms) / floor).toFixed(2).padStart(7),
      ];
      console.log(row.join("  "));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
