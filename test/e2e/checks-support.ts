// What the end-to-end tests of the checks inside `pulumi up` share: a
// loopback server playing a payment-service version, the critical request it
// answers, the secrets set as an operator sets them, and the harness's
// workspace made to look like the project's directory.
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT, type EngineStack } from "../../tools/rehearsal/engine";
import { runSafeDeploy } from "../../tools/rehearsal/safe-deploy-command";
import type { Handler, Recorded } from "../checks/loopback-server";

export const TOKEN = "e2e-payment-token-7c1f9a";
export const HOOK_PATH = "/services/T0E2E/B0E2E/e2e-webhook-key-4b8d";

/** A service at `version()` that accepts a payment only with the token. */
export function playing(version: () => string): Handler {
  return (request: Recorded) => {
    if (request.path === "/health") return { status: 200, body: { status: "ok" } };
    if (request.path === "/version") return { status: 200, body: { version: version() } };
    if (request.path === "/payments" && request.method === "POST") {
      return request.headers.authorization === `Bearer ${TOKEN}` ? { status: 201, body: { status: "accepted" } } : { status: 401, body: "no" };
    }
    return { status: 404, body: "not found" };
  };
}

const PAYMENT_REQUEST = { name: "create payment", method: "POST", path: "/payments", headers: { authorization: "Bearer ${PAYMENT_TOKEN}" }, body: { amount: 1 }, expectStatus: 201, expectJson: { status: "accepted" } };

/**
 * The project as a user has it where `pulumi up` runs: its package.json and
 * checks/ beside Pulumi.yaml, so `npx --no-install safe-deploy-check` finds
 * the project's own bin, as in a checkout. (The harness's workspace is a
 * temporary directory holding only the stack files.)
 */
export function asProjectDirectory(engine: EngineStack): void {
  for (const entry of ["package.json", "checks"]) fs.symlinkSync(path.join(PROJECT_ROOT, entry), path.join(engine.workDir, entry));
}

/**
 * The stack file's edit for payment-service alone, blue live, its checks reaching
 * the loopback servers that play each slot; short windows, so a test runs quickly.
 */
export function checkedPaymentService(urls: { readonly blue: string; readonly green: string }, verifyForSeconds: number): (config: Record<string, unknown>) => void {
  return (config) => {
    const services = config["safe-deploy:services"] as Record<string, Record<string, unknown>>;
    const service = services["payment-service"]!;
    config["safe-deploy:services"] = { "payment-service": service };
    service["liveSlot"] = "blue";
    service["checks"] = {
      urls,
      criticalRequests: [PAYMENT_REQUEST],
      smoke: { deadlineSeconds: 5, timeoutSeconds: 2 },
      verify: { everySeconds: 1, forSeconds: verifyForSeconds },
    };
  };
}

/** Secrets as an operator sets them: `pulumi config set --secret`. */
export async function setSecrets(engine: EngineStack, webhookUrl: string): Promise<void> {
  await engine.stack.setConfig("safe-deploy:webhookUrl", { value: webhookUrl, secret: true });
  await engine.stack.setConfig("checkSecrets.PAYMENT_TOKEN", { value: TOKEN, secret: true }, true);
}

/** The workspace made the project's directory, the checks' secrets set, and the first `safe-deploy up` through. */
export async function deployChecked(engine: EngineStack, webhookUrl: string): Promise<void> {
  asProjectDirectory(engine);
  await setSecrets(engine, webhookUrl);
  const first = await runSafeDeploy(engine, ["up", "--stack", "production"]);
  if (first.code !== 0) throw new Error(`first up: ${first.stdout}\n${first.stderr}`);
}

/** Runs `look` every 100 ms until stopped: how a loopback server learns what the cluster runs. */
export function every100ms(look: () => Promise<void>): { stop(): Promise<void> } {
  let on = true;
  const loop = (async () => {
    while (on) {
      await look().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    stop: async () => {
      on = false;
      await loop;
    },
  };
}
