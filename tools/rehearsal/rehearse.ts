// The rehearsal: the README's main job. Starts a local cluster and runs the
// operator's command, `npx safe-deploy`, as an operator types it, in the
// project's directory, without a terminal: `up` of staging a release behind,
// `up` of production refused by the checklist (staging-first), `up` of
// staging, then of production; the stack outputs with the rollback runbook;
// a rollback of the blue-green service with its two times (traffic back by
// the quick command, then the stack in agreement) while the cluster is shown
// serving the previous slot; `history`, `status`, and a preview showing no
// drift. Every step says what it does and how long it took.
//   tools/run npm run rehearse
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadKubeConfig } from "../cluster/kube-client";
import { startLocalCluster, type LocalCluster } from "../cluster/local-cluster";
import { toolchainPresent } from "../toolchain/paths";
import { endpointPods } from "./cluster-reads";
import { openEngineStack, stackOutputs, type EngineStack } from "./engine";
import { localChecklist } from "./local-checklist";
import { runSafeDeploy } from "./safe-deploy-command";

const DRILL_SERVICE = "payment-service";

async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  process.stdout.write(`\n==> ${what}\n`);
  const started = performance.now();
  const result = await run();
  process.stdout.write(`    done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return result;
}

/** `npx safe-deploy ARGS` as an operator types it; its output indented, its exit code checked. */
async function safeDeploy(engine: EngineStack, expectCode: number, ...args: string[]): Promise<void> {
  const ran = await runSafeDeploy(engine, args);
  const shown = `${ran.stdout}${ran.code === expectCode ? "" : ran.stderr}`;
  process.stdout.write(`${shown.trimEnd().split("\n").map((line) => `    ${line}`).join("\n")}\n    (exit ${ran.code})\n`);
  if (ran.code !== expectCode) throw new Error(`npx safe-deploy ${args.join(" ")} exited ${ran.code}, not ${expectCode}`);
}

async function rehearse(cluster: LocalCluster, dir: string): Promise<void> {
  const kc = await loadKubeConfig(cluster.kubeconfigPath);
  // One backend for both stacks, so production's staging-first reads staging's outputs; the checklist
  // waives, visibly, what a laptop has no source for (local-checklist.ts).
  const backendDir = path.join(dir, "state");
  fs.mkdirSync(backendDir, { recursive: true });
  const editStackFile = localChecklist({ now: new Date() });
  const open = (stack: string) => openEngineStack({ stack, kubeconfigPath: cluster.kubeconfigPath, dir: path.join(dir, stack), backendDir, editStackFile });
  const setUserApi = async (engine: EngineStack, version: string, previousVersion: string) => {
    await engine.cli(["config", "set-all", "--path", "--plaintext", `services.user-api.version=${version}`, "--plaintext", `services.user-api.previousVersion=${previousVersion}`]);
  };
  // Staging one release behind first: production's release of user-api v2.4.0 is refused until staging runs it.
  const staging = await open("staging");
  await step("npx safe-deploy up --stack staging, with user-api still on v2.3.1", async () => {
    await setUserApi(staging, "v2.3.1", "v2.3.0");
    await safeDeploy(staging, 0, "up", "--stack", "staging");
  });
  const production = await open("production");
  await step("npx safe-deploy up --stack production: refused (exit 2), staging runs user-api v2.3.1", () => safeDeploy(production, 2, "up", "--stack", "production"));
  await step("npx safe-deploy up --stack staging: user-api v2.4.0 to staging first", async () => {
    await setUserApi(staging, "v2.4.0", "v2.3.1");
    await safeDeploy(staging, 0, "up", "--stack", "staging");
  });
  await step("npx safe-deploy up --stack production: staging runs it, the release goes through", () => safeDeploy(production, 0, "up", "--stack", "production"));
  const outputs = await stackOutputs(production);
  process.stdout.write(`\n==> Stack outputs of production: the rollback runbook\n\n${outputs.runbook}\n`);

  process.stdout.write(`\n==> Rollback drill on ${DRILL_SERVICE}: traffic now reaches ${(await endpointPods(kc, outputs.namespace, DRILL_SERVICE)).join(", ")}\n`);
  await step(`npx safe-deploy rollback ${DRILL_SERVICE} --stack production: traffic back first, then the stack`, async () => {
    await safeDeploy(production, 0, "rollback", DRILL_SERVICE, "--stack", "production");
    process.stdout.write(`    traffic now reaches ${(await endpointPods(kc, outputs.namespace, DRILL_SERVICE)).join(", ")}\n`);
  });
  await step(`npx safe-deploy history ${DRILL_SERVICE} --stack production`, () => safeDeploy(production, 0, "history", DRILL_SERVICE, "--stack", "production"));
  await step("npx safe-deploy status --stack production", () => safeDeploy(production, 0, "status", "--stack", "production"));
  await step("npx safe-deploy preview --stack production: no drift", () => safeDeploy(production, 0, "preview", "--stack", "production"));
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
