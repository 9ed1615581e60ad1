// Benchmark (not a test) of the CrossGuard policy pack:
//   1. resources judged per second through the analyzer protocol, at 10, 100,
//      1,000 and 10,000 resources: the pack served as the CLI serves it here,
//      sent Remediate + Analyze per resource (inputs) and one AnalyzeStack
//      (outputs), as the engine does; the resources are copies of what the
//      program produces for the production stack file, each copy in its own
//      namespace (the last copy cut short to reach the count);
//   2. the time the pack adds to `preview` of each shipped stack on the local
//      cluster, previews with and without the pack taking turns in one run,
//      against a deployed stack (what CI previews on a pull request).
//   tools/run npm run bench:policy        (needs: bash tools/toolchain/ensure.sh)
//   BENCH_RUNS=5 tools/run npm run bench:policy
//   tools/run npx tsx bench/policy-pack.ts protocol     only part 1 (no cluster)
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startLocalCluster, type LocalCluster } from "../tools/cluster/local-cluster";
import { openEngineStack, PROJECT_ROOT } from "../tools/rehearsal/engine";
import { localChecklistAlone } from "../tools/rehearsal/local-checklist";
import { toolchainPresent } from "../tools/toolchain/paths";
import { readConfigFile, ServedPack, type EngineResource } from "../test/policy/support/analyzer";
import { programResources } from "../test/policy/support/engine-resources";

const RUNS = Number(process.env["BENCH_RUNS"] ?? 3);
const SIZES = [10, 100, 1_000, 10_000];
const PACK = path.join(PROJECT_ROOT, "policy");

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await run();
  return { ms: performance.now() - started, result };
}

/** Moves a copy of a resource into namespace `bench-<copy>`, with URNs of its own. */
function copyOf(resource: EngineResource, copy: number): EngineResource {
  const rename = (urn: string) => `${urn}-${copy}`;
  const move = (props: Record<string, unknown>): Record<string, unknown> => {
    const metadata = props["metadata"];
    if (typeof metadata !== "object" || metadata === null) return props;
    return { ...props, metadata: { ...metadata, namespace: `bench-${copy}` } };
  };
  return {
    ...resource,
    urn: rename(resource.urn),
    ...(resource.parent === undefined ? {} : { parent: rename(resource.parent) }),
    dependencies: (resource.dependencies ?? []).map(rename),
    inputs: move(resource.inputs),
    outputs: move(resource.outputs),
  };
}

/** `count` resources: the stack's own two (root Stack, its record) once, then copies of the rest. */
function resourcesOfSize(production: readonly EngineResource[], count: number): EngineResource[] {
  const once = production.filter((r) => r.type.startsWith("pulumi:pulumi:"));
  const copied = production.filter((r) => !r.type.startsWith("pulumi:pulumi:"));
  const result = [...once];
  for (let copy = 0; result.length < count; copy++) {
    for (const resource of copied) {
      if (result.length >= count) break;
      result.push(copyOf(resource, copy));
    }
  }
  return result.slice(0, count);
}

async function throughput(): Promise<void> {
  const { outputs } = await programResources("production");
  const production = (await programResources("production", undefined, outputs.services)).resources;
  const started = await timed(() => ServedPack.start());
  const pack = started.result;
  try {
    await pack.configure(readConfigFile("production"));
    console.log(`\n1. the pack over the analyzer protocol (production.json; pack started and printed its port in ${(started.ms / 1000).toFixed(2)} s)`);
    console.log(`   ${RUNS} runs per size, median; Remediate + Analyze per resource, one at a time, then one AnalyzeStack`);
    console.log("resources  analyze ms  per resource ms  analyzeStack ms   total ms  resources/s  violations");
    for (const size of SIZES) {
      const resources = resourcesOfSize(production, size);
      const analyzeMs: number[] = [];
      const stackMs: number[] = [];
      let violations = 0;
      for (let run = 0; run < RUNS; run++) {
        const perResource = await timed(async () => {
          let found = 0;
          for (const resource of resources) if (resource.readOnly !== true) found += (await pack.analyze(resource)).length;
          return found;
        });
        const stack = await timed(() => pack.analyzeStack(resources));
        analyzeMs.push(perResource.ms);
        stackMs.push(stack.ms);
        violations = perResource.result + stack.result.length;
      }
      const total = median(analyzeMs) + median(stackMs);
      console.log(
        `${String(resources.length).padStart(9)}  ${median(analyzeMs).toFixed(0).padStart(10)}  ${(median(analyzeMs) / resources.length).toFixed(3).padStart(15)}  ` +
          `${median(stackMs).toFixed(0).padStart(15)}  ${total.toFixed(0).padStart(9)}  ${((1000 * resources.length) / total).toFixed(0).padStart(11)}  ${String(violations).padStart(10)}`,
      );
    }
    console.log("(violations: the last copy cut short may leave a Deployment without its budget or Service; whole copies pass)");
  } finally {
    await pack.stop();
  }
}

async function previewCost(): Promise<void> {
  const toolchain = toolchainPresent();
  if (!toolchain.ok) throw new Error(`${toolchain.message}; run bash tools/toolchain/ensure.sh`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safe-deploy-bench-policy-"));
  const cluster: LocalCluster = await startLocalCluster();
  const rows: { stack: string; without: number[]; withPack: number[] }[] = [];
  try {
    for (const stack of ["staging", "production"]) {
      const engine = await openEngineStack({ stack, kubeconfigPath: cluster.kubeconfigPath, editStackFile: localChecklistAlone(new Date()), dir: path.join(dir, stack) });
      await engine.stack.up({ color: "never" });
      const row = { stack, without: [] as number[], withPack: [] as number[] };
      const packOptions = { policyPacks: [PACK], policyPackConfigs: [path.join(PACK, "config", `${stack}.json`)] };
      for (let run = 0; run < RUNS; run++) {
        process.stderr.write(`preview ${stack}: run ${run + 1}/${RUNS}\n`);
        // Alternate which goes first, so a warm cache does not favour one side.
        const order = run % 2 === 0 ? ["without", "with"] : ["with", "without"];
        for (const which of order) {
          const { ms } = await timed(() => engine.stack.preview({ color: "never", ...(which === "with" ? packOptions : {}) }));
          (which === "with" ? row.withPack : row.without).push(ms);
        }
      }
      rows.push(row);
    }
  } finally {
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n2. preview of each shipped stack on the local cluster (stand-in providers), deployed, no changes; ${RUNS} runs each, median seconds`);
  console.log("stack        without pack   with pack   added   added/without");
  for (const row of rows) {
    const without = median(row.without) / 1000;
    const withPack = median(row.withPack) / 1000;
    console.log(
      `${row.stack.padEnd(12)} ${without.toFixed(2).padStart(12)} ${withPack.toFixed(2).padStart(11)} ${(withPack - without).toFixed(2).padStart(7)} ${(((withPack - without) / without) * 100).toFixed(0).padStart(14)}%`,
    );
  }
  console.log("goal: under 10% added");
}

async function main(): Promise<void> {
  console.log(`policy pack benchmark, Node ${process.version}, ${os.cpus().length} cores`);
  const part = process.argv[2];
  if (part === undefined || part === "protocol") await throughput();
  if (part === undefined || part === "preview") await previewCost();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
