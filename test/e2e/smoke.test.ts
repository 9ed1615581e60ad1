// The checks inside `pulumi up`, with the real engine, the Command stand-in
// running the checker as typed in the project's directory, the local cluster,
// and loopback HTTP servers playing each slot or track (pods under kwok run
// no containers) plus a webhook receiver:
// - a blue-green release whose green smoke test fails fails the update; the
//   live Service's selector and EndpointSlices stay on blue; the team hears
//   start then failure; fixed, the same release switches and is verified;
// - a second `up` with nothing changed runs no step;
// - the Pulumi-native rollback, as printed, is smoke-tested and verified in one round;
// - a canary whose smoke test fails gets no route weight and stable keeps its pods;
// - the webhook URL and the token appear nowhere in the state, the engine's
//   output, the stand-in's log or the outputs.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommandLine } from "../../tools/rehearsal/command-line";
import { stackOutputs, type EngineStack } from "../../tools/rehearsal/engine";
import { startServer, type Handler, type LoopbackServer } from "../checks/loopback-server";
import { asProjectDirectory, checkedPaymentService, HOOK_PATH, playing, setSecrets, TOKEN } from "./checks-support";
import { apis, changes, endpointPods, engineFor, eventually, onlyServices, runningPods, startE2e, stopE2e, toolchain, UP_TIMEOUT_MS, type E2eContext } from "./support";

/** Every file under `dir`, as text. */
function filesUnder(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out.push({ file, text: fs.readFileSync(file, "latin1") });
  }
  return out;
}

describe.skipIf(!toolchain.ok)("checks inside pulumi up", () => {
  let context: E2eContext | undefined;
  const servers: LoopbackServer[] = [];
  const serve = async (handler: Handler) => {
    const server = await startServer(handler);
    servers.push(server);
    return server;
  };
  let engineOutput = "";
  const up = async (engine: EngineStack): Promise<"succeeded" | string> => {
    try {
      const result = await engine.stack.up({ color: "never" });
      engineOutput += result.stdout + result.stderr;
      return result.summary.result;
    } catch (error) {
      engineOutput += error instanceof Error ? error.message : String(error);
      return error instanceof Error ? error.message : String(error);
    }
  };

  beforeAll(async () => {
    context = await startE2e("smoke");
  }, UP_TIMEOUT_MS);
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await stopE2e(context);
  }, 60_000);

  describe("blue-green payment-service", () => {
    const namespace = "bg-checks";
    let engine: EngineStack;
    let greenVersion = "v3.1.0"; // wrong: green runs v3.2.0
    let blue: LoopbackServer;
    let green: LoopbackServer;
    let hook: LoopbackServer;
    const heard = () => hook.received.map((r) => (JSON.parse(r.body) as { text: string }).text.split("\n")[0]);
    const selector = async () => (await (await apis(context!.kc)).core.readNamespacedService({ name: "payment-service", namespace })).spec?.selector;
    const servedBy = async (slot: string) => {
      const pods = await endpointPods(context!.kc, namespace, "payment-service");
      return pods.length === 4 && pods.every((pod) => pod.startsWith(`payment-service-${slot}-`));
    };

    beforeAll(async () => {
      blue = await serve(playing(() => "v3.1.0"));
      green = await serve(playing(() => greenVersion));
      hook = await serve(() => ({ status: 200, body: "ok" }));
      engine = await engineFor(context!, "production", {
        editStackFile: checkedPaymentService({ blue: blue.url, green: green.url }, 2),
        config: { namespace },
      });
      asProjectDirectory(engine);
      await setSecrets(engine, `${hook.url}${HOOK_PATH}`);
      // Before the release: blue live and checked, green v3.2.0 deployed idle.
      const first = await up(engine);
      if (first !== "succeeded") throw new Error(`first up: ${first}`);
    }, 2 * UP_TIMEOUT_MS);

    it("deploys blue live after its smoke test and verification, telling the team", async () => {
      expect(await servedBy("blue")).toBe(true);
      expect(heard()).toEqual(["Starting production deployment of payment-service v3.1.0", "Production deployment of payment-service v3.1.0 succeeded"]);
      expect(blue.received.some((r) => r.path === "/payments" && r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    });

    it("fails the release when green's smoke test fails, keeping traffic on blue", async () => {
      await engine.stack.setConfig("services.payment-service.liveSlot", { value: "green" }, true);

      const result = await up(engine);

      expect(result).not.toBe("succeeded");
      expect(result).toContain("payment-service-smoke");
      expect(await selector()).toEqual({ app: "payment-service", version: "blue" });
      expect(await servedBy("blue")).toBe(true);
      expect(green.received.some((r) => r.path === "/version")).toBe(true);
      expect(heard().slice(2)).toEqual(["Starting production deployment of payment-service v3.2.0", "Production deployment of payment-service v3.2.0 failed"]);
      expect(JSON.parse(hook.received[3]!.body).text).toContain("Reason: smoke test of slot green failed");
    }, UP_TIMEOUT_MS);

    it("switches once green is healthy, and verifies the live Service's EndpointSlices", async () => {
      greenVersion = "v3.2.0";

      expect(await up(engine)).toBe("succeeded");

      expect(await selector()).toEqual({ app: "payment-service", version: "green" });
      await eventually("EndpointSlices on green", () => servedBy("green"));
      expect(heard().slice(4)).toEqual(["Production deployment of payment-service v3.2.0 succeeded"]);
    }, UP_TIMEOUT_MS);

    it("runs no step on an up that changes nothing, and previews no change", async () => {
      const requests = [blue, green, hook].map((server) => server.received.length);

      const preview = await engine.stack.preview({ color: "never" });
      const result = await engine.stack.up({ color: "never" });
      engineOutput += result.stdout + result.stderr;

      expect(changes(preview.changeSummary)).toEqual({});
      expect(changes(result.summary.resourceChanges)).toEqual({});
      expect([blue, green, hook].map((server) => server.received.length)).toEqual(requests);
    }, UP_TIMEOUT_MS);

    it("rolls back with the Pulumi-native command as printed: smoke-tested, verified in one round", async () => {
      const plan = (await stackOutputs(engine)).services["payment-service"]!.rollback!;
      const heardBefore = hook.received.length;

      const steps = await runCommandLine(plan.pulumi, engine);
      engineOutput += steps.map((step) => step.stdout).join("\n");

      expect(await selector()).toEqual({ app: "payment-service", version: "blue" });
      await eventually("EndpointSlices on blue", () => servedBy("blue"));
      // v3.1.0 served here before: verify ran one round (--for = --every), not the 2 s window.
      const verify = (await engine.stack.exportStack()).deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::payment-service-verify"));
      expect(verify?.inputs.create).toContain("--every 1 --for 1 ");
      expect((await stackOutputs(engine)).checks?.["payment-service"]).toMatchObject({ target: "blue v3.1.0", rollback: true });
      expect(heard().slice(heardBefore)).toEqual(["Starting production deployment of payment-service v3.1.0", "Production deployment of payment-service v3.1.0 succeeded"]);
    }, UP_TIMEOUT_MS);

    it("leaves the webhook URL and the token nowhere in state, engine output, logs or outputs", async () => {
      const outputs = JSON.stringify(await stackOutputs(engine));
      // The backend's state file (not `stack export`, which the Automation API runs with --show-secrets),
      // its history and backups, the stack file, PULUMI_HOME's logs.
      const files = filesUnder(path.dirname(engine.workDir));
      const state = files.find(({ file }) => /\.pulumi\/stacks\/.*production\.json$/.test(file));
      expect(state?.text).toContain("payment-service-smoke");
      const texts = [{ file: "outputs", text: outputs }, { file: "engine output", text: engineOutput }, ...files];
      for (const { file, text } of texts) {
        expect(text.includes(HOOK_PATH), file).toBe(false);
        expect(text.includes(TOKEN), file).toBe(false);
      }
      // The check did reach the receiver with them: the grep looked for the right strings.
      expect(hook.received[0]?.path).toBe(HOOK_PATH);
    });
  });

  describe("canary recommendation-engine", () => {
    const namespace = "canary-checks";
    const SERVICE = "recommendation-engine";

    it("gives a canary whose smoke test fails no route weight, and stable keeps its pods", async () => {
      const canary = await serve(playing(() => "v4.0.3")); // wrong: the canary runs v4.1.0
      const engine = await engineFor(context!, "production", {
        editStackFile: (config) => {
          onlyServices(SERVICE)(config);
          const service = (config["safe-deploy:services"] as Record<string, Record<string, unknown>>)[SERVICE]!;
          service["canaryWeight"] = 0;
          service["httpRoute"] = { gatewayName: "public" };
          service["checks"] = { urls: { canary: canary.url }, smoke: { deadlineSeconds: 5, timeoutSeconds: 2 } };
        },
        config: { namespace },
      });
      asProjectDirectory(engine);
      expect(await up(engine)).toBe("succeeded");
      const weights = async () => {
        const route = (await (await apis(context!.kc)).custom.getNamespacedCustomObject({ group: "gateway.networking.k8s.io", version: "v1", namespace, plural: "httproutes", name: SERVICE })) as {
          spec: { rules: { backendRefs: { weight: number }[] }[] };
        };
        return route.spec.rules[0]?.backendRefs.map((ref) => ref.weight);
      };
      expect(await weights()).toEqual([100, 0]);

      await engine.stack.setConfig(`services.${SERVICE}.canaryWeight`, { value: "20" }, true);
      const result = await up(engine);

      expect(result).toContain(`${SERVICE}-canary-smoke`);
      expect(canary.received.some((r) => r.path === "/version")).toBe(true);
      expect(await weights()).toEqual([100, 0]);
      expect(await runningPods(context!.kc, namespace, `app=${SERVICE},version=stable`)).toHaveLength(10);
    }, 2 * UP_TIMEOUT_MS);
  });
});
