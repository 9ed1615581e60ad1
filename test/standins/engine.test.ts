// Each stand-in through the real engine: the Automation API runs an inline
// program with the Pulumi CLI from the toolchain, and the engine finds the
// stand-in plugins on PATH (test/standins/bin first), as the end-to-end tier does.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { toolchainBinDir } from "../../tools/toolchain/paths";
import { ClusterClient } from "./kubernetes/cluster-client";
import { engineReady, useLocalCluster } from "./testing/prerequisites";

const STANDIN_BIN = join(__dirname, "bin");

describe.skipIf(!engineReady("the stand-ins' engine tests"))("the stand-ins under the real engine", () => {
  const cluster = useLocalCluster();
  let home: string;

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), "standin-engine-"));
    mkdirSync(join(home, "state"));
  });
  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
  });

  /** A stack of an inline program with a private backend and Pulumi home, the stand-ins first on PATH. */
  async function stackOf(project: string, program: () => Promise<Record<string, unknown>>): Promise<Stack> {
    return LocalWorkspace.createOrSelectStack(
      { stackName: "standin", projectName: project, program },
      {
        pulumiHome: join(home, "pulumi-home"),
        pulumiCommand: await PulumiCommand.get({ root: dirname(toolchainBinDir()) }),
        envVars: {
          PATH: [STANDIN_BIN, toolchainBinDir(), dirname(process.execPath), process.env["PATH"] ?? ""].join(delimiter),
          KUBECONFIG: cluster().kubeconfigPath,
          PULUMI_BACKEND_URL: `file://${join(home, "state")}`,
          PULUMI_CONFIG_PASSPHRASE: "standin-tests",
          PULUMI_SKIP_UPDATE_CHECK: "true",
        },
      },
    );
  }

  it("creates and destroys a Deployment through pulumi-resource-kubernetes", async () => {
    const stack = await stackOf("standin-kubernetes", async () => {
      const deployment = new k8s.apps.v1.Deployment("web", {
        metadata: { name: "engine-web", namespace: "default" },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "engine-web" } },
          template: { metadata: { labels: { app: "engine-web" } }, spec: { containers: [{ name: "web", image: "registry.local/web:1" }] } },
        },
      });
      return { ready: deployment.status.readyReplicas };
    });
    const api = await ClusterClient.load({ kubeconfigPath: cluster().kubeconfigPath });
    const ref = { apiVersion: "apps/v1", kind: "Deployment", name: "engine-web", namespace: "default" };

    const up = await stack.up();
    const created = await api.get(ref);
    await stack.destroy();
    const afterDestroy = await api.get(ref);

    expect(up.summary.result).toBe("succeeded");
    expect(up.outputs["ready"]?.value).toBe(2);
    expect(created).toBeDefined();
    expect(afterDestroy).toBeUndefined();
  }, 180_000);

  it("runs a local.Command's create and delete through pulumi-resource-command", async () => {
    const marker = join(home, "deleted");
    const stack = await stackOf("standin-command", async () => {
      const check = new command.local.Command("check", {
        create: 'echo "checked $SERVICE"',
        delete: `echo "$PULUMI_COMMAND_STDOUT" > '${marker}'`,
        environment: { SERVICE: "user-api" },
      });
      return { stdout: check.stdout };
    });

    const up = await stack.up();
    const destroyed = await stack.destroy();

    expect(up.summary.result).toBe("succeeded");
    expect(up.outputs["stdout"]?.value).toBe("checked user-api");
    expect(destroyed.summary.result).toBe("succeeded");
    expect(readFileSync(marker, "utf8")).toBe("checked user-api\n");
  }, 120_000);
});
