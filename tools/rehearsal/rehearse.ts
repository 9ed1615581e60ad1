// The rehearsal: the README's main job. Starts a local cluster, runs `up` for
// staging and then production with the real Pulumi engine and the policy pack
// attached (production first refused while staging is a release behind, then
// through once staging runs it), prints the stack
// outputs with the rollback commands, runs a rollback drill (the quick
// command of the blue-green service for real, the cluster shown serving the
// previous slot; then the Pulumi-native rollback, and a preview showing no
// drift), and stops the cluster. Every step says what it does and how long it took.
//   tools/run npm run rehearse
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadKubeConfig } from "../cluster/kube-client";
import { startLocalCluster, type LocalCluster } from "../cluster/local-cluster";
import { waitUntil } from "../cluster/wait";
import { toolchainPresent } from "../toolchain/paths";
import { runCommandLine } from "./command-line";
import { endpointPods, servedBy } from "./cluster-reads";
import { openEngineStack, PROJECT_ROOT, stackOutputs, type EngineStack } from "./engine";
import { localChecklist } from "./local-checklist";
import { blueGreenLiveSchema } from "../../strategies/blue-green";

const DRILL_SERVICE = "payment-service";

/** The policy pack as the README's deploy section attaches it: `--policy-pack policy --policy-pack-config policy/config/<stack>.json`. */
const packFlags = (stack: string) => `--policy-pack policy --policy-pack-config policy/config/${stack}.json`;
const withPack = (stack: string) => ({ policyPacks: [path.join(PROJECT_ROOT, "policy")], policyPackConfigs: [path.join(PROJECT_ROOT, "policy", "config", `${stack}.json`)] });

async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  process.stdout.write(`\n==> ${what}\n`);
  const started = performance.now();
  const result = await run();
  process.stdout.write(`    done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return result;
}

async function rehearse(cluster: LocalCluster, dir: string): Promise<void> {
  const kc = await loadKubeConfig(cluster.kubeconfigPath);
  // One backend for both stacks, so production's staging-first reads staging's outputs; the checklist
  // waives, visibly, what a laptop has no source for (local-checklist.ts).
  const backendDir = path.join(dir, "state");
  fs.mkdirSync(backendDir, { recursive: true });
  const editStackFile = localChecklist({ now: new Date() });
  const open = (stack: string) => openEngineStack({ stack, kubeconfigPath: cluster.kubeconfigPath, dir: path.join(dir, stack), backendDir, editStackFile });
  const up = async (engine: EngineStack) => {
    const result = await engine.stack.up({ color: "never", ...withPack(engine.stack.name), onOutput: (out) => process.stdout.write(out) });
    process.stdout.write(`    ${result.summary.result}: ${JSON.stringify(result.summary.resourceChanges)}\n`);
  };
  // Staging one release behind first: production's release of user-api v2.4.0 is refused until staging runs it.
  const staging = await step(`pulumi up --stack staging ${packFlags("staging")}, with user-api still on v2.3.1`, async () => {
    const opened = await open("staging");
    await opened.stack.setConfig("services.user-api.version", { value: "v2.3.1" }, true);
    await opened.stack.setConfig("services.user-api.previousVersion", { value: "v2.3.0" }, true);
    await up(opened);
    return opened;
  });
  const production = await open("production");
  await step(`pulumi up --stack production ${packFlags("production")}: refused, staging runs user-api v2.3.1`, async () => {
    try {
      await production.stack.up({ color: "never", ...withPack("production") });
    } catch (error) {
      // The engine's diagnostics, not its progress lines (which repeat the first line).
      const refusal = String(error)
        .split("\n")
        .filter((line) => /Refused before anything|staging-first is fail|enforce-pre-deployment-checklist/.test(line) && !line.includes("pulumi:pulumi:Stack"));
      if (refusal.length === 0) throw error;
      process.stdout.write(`    refused, nothing deployed:\n${[...new Set(refusal.map((line) => line.trim()))].map((line) => `      ${line}`).join("\n")}\n`);
      return;
    }
    throw new Error("production's release went through while staging ran another version");
  });
  await step(`pulumi up --stack staging ${packFlags("staging")}: user-api v2.4.0 to staging first`, async () => {
    await staging.stack.setConfig("services.user-api.version", { value: "v2.4.0" }, true);
    await staging.stack.setConfig("services.user-api.previousVersion", { value: "v2.3.1" }, true);
    await up(staging);
  });
  await step(`pulumi up --stack production ${packFlags("production")}: staging runs it, the release goes through`, () => up(production));
  const outputs = await stackOutputs(production);
  process.stdout.write(`\n==> Stack outputs of production: the rollback runbook\n\n${outputs.runbook}\n`);
  process.stdout.write(`\n==> pulumi stack output checklist --stack production: what the release was judged by\n\n${JSON.stringify(outputs.checklist, null, 2)}\n`);

  const report = outputs.services[DRILL_SERVICE];
  if (report?.rollback == null) throw new Error(`${DRILL_SERVICE} has no rollback plan in the outputs`);
  const plan = report.rollback;
  const namespace = outputs.namespace;
  process.stdout.write(`\n==> Rollback drill on ${DRILL_SERVICE}: traffic now reaches ${(await endpointPods(kc, namespace, DRILL_SERVICE)).join(", ")}\n`);
  // The drill's service is blue-green: its live state reads as that strategy's, or the drill cannot run.
  const standby = blueGreenLiveSchema.parse(report.live).standby.slot;
  const onStandby = () => servedBy(kc, namespace, DRILL_SERVICE, `${DRILL_SERVICE}-${standby}`);
  await step(`quick rollback, run for real: ${plan.quick}`, async () => {
    await runCommandLine(plan.quick, production);
    await waitUntil(`${DRILL_SERVICE}'s EndpointSlices on the ${standby} slot`, onStandby, { timeoutMs: 60_000 });
    process.stdout.write(`    traffic now reaches ${(await endpointPods(kc, namespace, DRILL_SERVICE)).join(", ")} (expect ${plan.expect})\n`);
  });
  await step(`Pulumi-native rollback, so the stack agrees: ${plan.pulumi}`, async () => {
    for (const ran of await runCommandLine(plan.pulumi, production)) {
      process.stdout.write(`    ${ran.command}  [${ran.ranAs}, ${(ran.ms / 1000).toFixed(1)} s]\n`);
    }
    process.stdout.write(`    traffic reaches ${(await endpointPods(kc, namespace, DRILL_SERVICE)).join(", ")}\n`);
  });
  await step("pulumi preview --stack production: no drift", async () => {
    const preview = await production.stack.preview({ color: "never" });
    // Reads (the program's StackReference to its own last outputs) change nothing, as the engine counts changes.
    const changed = Object.entries(preview.changeSummary).filter(([op, n]) => op !== "same" && op !== "read" && n > 0);
    if (changed.length > 0) throw new Error(`drift after the rollback: ${JSON.stringify(preview.changeSummary)}`);
    process.stdout.write(`    ${JSON.stringify(preview.changeSummary)}\n`);
  });
}

async function main(): Promise<void> {
  const toolchain = toolchainPresent();
  if (!toolchain.ok) throw new Error(toolchain.message);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safe-deploy-rehearsal-"));
  const cluster = await step("start a local cluster (etcd, kube-apiserver, controller-manager, scheduler, kwok with 3 nodes)", () =>
    startLocalCluster({ log: (line) => process.stdout.write(`    ${line}\n`) }),
  );
  try {
    await rehearse(cluster, dir);
  } finally {
    await step("stop the local cluster", () => cluster.stop());
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write("\nRehearsal complete.\n");
}

main().catch((error: unknown) => {
  console.error(`\nrehearsal failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
