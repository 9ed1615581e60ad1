// What the program renders for both shipped stacks and for edits that take
// every strategy through its other states (a rollback target gone, a retired
// standby, a canary aborted, promoted or on exact weights, checks on every
// service), compared byte for byte with files written before a refactor.
// A refactor that changes one object or one output fails here; a deliberate
// change rewrites the files (`vitest -u`) and shows up in review as their diff.
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { runProgram, type StackEdit } from "../support/run-program";
import { STACKS } from "../support/stack-files";

const VARIANTS: Readonly<Record<string, StackEdit>> = {
  shipped: () => {},
  "other-states": (raw) => {
    delete raw.services["user-api"]!["previousVersion"];
    raw.services["payment-service"]!["liveSlot"] = "blue";
    raw.services["payment-service"]!["retireStandby"] = true;
    raw.services["payment-service"]!["migration"] = { command: ["./migrate", "up"], kind: "contract", version: "v3.1.0" };
    raw.services["recommendation-engine"]!["canaryWeight"] = 0;
  },
  "promoted-and-checked": (raw) => {
    raw["webhookUrl"] = "https://hooks.example.com/services/T000/B000/not-a-real-key";
    raw["checkSecrets"] = { PAYMENT_TOKEN: "tok-0123456789abcdef" };
    raw.services["user-api"]!["checks"] = { urls: { live: "http://user-api.svc" }, verify: { everySeconds: 10, forSeconds: 60 } };
    raw.services["payment-service"]!["checks"] = {
      urls: { green: "http://payment-service-green.svc", blue: "http://payment-service-blue.svc", live: "https://payments.example.com" },
      criticalRequests: [{ name: "create payment", method: "POST", path: "/payments", headers: { authorization: "Bearer ${PAYMENT_TOKEN}" }, body: { amount: 1 }, expectStatus: 201 }],
    };
    raw.services["recommendation-engine"]!["canaryVersion"] = undefined;
    delete raw.services["recommendation-engine"]!["canaryVersion"];
    raw.services["recommendation-engine"]!["canaryWeight"] = 0;
    raw.services["recommendation-engine"]!["stableVersion"] = "v4.1.0";
  },
  "exact-weights-and-checked": (raw) => {
    raw.services["recommendation-engine"]!["httpRoute"] = { gatewayName: "public", hostnames: ["shop.example.com"] };
    raw.services["recommendation-engine"]!["canaryWeight"] = 5;
    raw.services["recommendation-engine"]!["checks"] = { urls: { canary: "http://recommendation-engine-canary.svc" } };
  },
};

/** Resolves every Output inside the stack outputs, as the engine would write them. */
function resolved(value: unknown): Promise<unknown> {
  return new Promise((resolve) => pulumi.output(value as Record<string, unknown>).apply((plain) => resolve(plain)));
}

describe.each(STACKS)("the %s stack renders as it did", (stack) => {
  it.each(Object.keys(VARIANTS))("%s", async (variant) => {
    const { run, outputs } = await runProgram(stack, VARIANTS[variant]);
    const rendered = {
      resources: run.resources.map(({ type, name, parent, dependencies, inputs }) => ({ type, name, parent, dependencies, inputs })),
      componentOutputs: Object.fromEntries(run.componentOutputs),
      outputs: await resolved(outputs),
    };
    await expect(`${JSON.stringify(rendered, null, 2)}\n`).toMatchFileSnapshot(`./rendered/${stack}.${variant}.json`);
  });
});
