// The check steps' wiring under mocks: what each step waits for, what
// re-runs it (its triggers), what it is handed (secrets only as secrets),
// and the rollback's one verify round.
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { ofType, resourceByObjectName, type MockRun, type RecordedResource } from "../support/pulumi-mocks";
import { problemsOf, runProgram, editedRaw, type RawStackConfig } from "../support/run-program";

const COMMAND = "command:local:Command";
const SERVICE = "kubernetes:core/v1:Service";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const WEBHOOK = "https://hooks.example.com/services/T000/B000/not-a-real-key";
const TOKEN = "tok-0123456789abcdef";
/** Pulumi's wire envelope of a secret value (sdk/nodejs/runtime/rpc.ts: specialSigKey, specialSecretSig). */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE_SIG = "1b47061264138c4ac30d75fd1eb44270";

const PAYMENT_CHECKS = {
  urls: { green: "http://payment-service-green.production.svc", blue: "http://payment-service-blue.production.svc", live: "https://payments.example.com" },
  criticalRequests: [{ name: "create payment", method: "POST", path: "/payments", headers: { authorization: "Bearer ${PAYMENT_TOKEN}" }, body: { amount: 1 }, expectStatus: 201 }],
  verify: { everySeconds: 10, forSeconds: 300 },
};

/** The shipped stack with checks on every service, the webhook and the token set. */
const withChecks = (raw: RawStackConfig): void => {
  raw["webhookUrl"] = WEBHOOK;
  raw["checkSecrets"] = { PAYMENT_TOKEN: TOKEN };
  raw.services["payment-service"]!["checks"] = structuredClone(PAYMENT_CHECKS);
  raw.services["user-api"]!["checks"] = { urls: { live: "http://user-api.production.svc" } };
  raw.services["recommendation-engine"]!["checks"] = { urls: { canary: "http://recommendation-engine-canary.production.svc" } };
  raw.services["recommendation-engine"]!["httpRoute"] = { gatewayName: "public" };
};

const command = (run: MockRun, name: string): RecordedResource => {
  const found = ofType(run, COMMAND).find((r) => r.name === name);
  if (found === undefined) throw new Error(`no command ${name}; have ${ofType(run, COMMAND).map((r) => r.name).join(", ")}`);
  return found;
};
const inputs = (resource: RecordedResource) => resource.inputs as { create: string; triggers: unknown[]; environment?: Record<string, string>; stdin?: string };

describe("check steps of a blue-green service", () => {
  it("lets the switch move traffic only after the target slot's smoke test", async () => {
    const { run } = await runProgram("production", withChecks);
    const smoke = command(run, "payment-service-smoke");
    expect(resourceByObjectName(run, SERVICE, "payment-service").dependencies).toContain(smoke.urn);
    expect(inputs(smoke).create).toContain("smoke --url http://payment-service-green.production.svc --expect-version v3.2.0");
  });

  it("smoke-tests the slot after its Deployment, its own Service and the migration its version needs", async () => {
    const { run } = await runProgram("production", withChecks);
    const deps = command(run, "payment-service-smoke").dependencies;
    expect(deps).toContain(resourceByObjectName(run, DEPLOYMENT, "payment-service-green").urn);
    expect(deps).toContain(resourceByObjectName(run, SERVICE, "payment-service-green").urn);
    expect(deps).toContain(resourceByObjectName(run, "kubernetes:batch/v1:Job", "payment-migration-v3.2.0").urn);
  });

  it("verifies the live Service after the switch, including its EndpointSlices, so the switch may skip the settle wait", async () => {
    const { run } = await runProgram("production", withChecks);
    const verify = command(run, "payment-service-verify");
    expect(verify.dependencies).toContain(resourceByObjectName(run, SERVICE, "payment-service").urn);
    expect(inputs(verify).create).toContain("--url https://payments.example.com");
    expect(inputs(verify).create).toContain("--service payment-service --namespace production --expect-pods app=payment-service,version=green");
    expect(inputs(verify).create).toContain("--for 300");
    const live = resourceByObjectName(run, SERVICE, "payment-service").inputs as { metadata: { annotations?: Record<string, string> } };
    expect(live.metadata.annotations).toEqual({ "pulumi.com/skipAwait": "true" });
  });

  it("keeps the live Service's settle wait when no verify step follows", async () => {
    const { run } = await runProgram("production");
    expect(ofType(run, COMMAND)).toEqual([]);
    const live = resourceByObjectName(run, SERVICE, "payment-service").inputs as { metadata: { annotations?: Record<string, string> } };
    expect(live.metadata.annotations).toBeUndefined();
  });

  it("notifies success only after start and verify", async () => {
    const { run } = await runProgram("production", withChecks);
    const success = command(run, "payment-service-notify-success");
    expect(success.dependencies).toContain(command(run, "payment-service-notify-start").urn);
    expect(success.dependencies).toContain(command(run, "payment-service-verify").urn);
    expect(command(run, "payment-service-notify-start").dependencies).toEqual([]);
    expect(inputs(success).create).toContain("notify --event success --service payment-service --version v3.2.0 --environment production");
  });
});

describe("check steps of canary and rolling services", () => {
  it("moves the canary's route weight and shrinks stable only after the canary's smoke test", async () => {
    const { run } = await runProgram("production", withChecks, { referencedOutputs: { services: { "recommendation-engine": { live: { strategy: "canary", canary: { replicas: 0 } } } } } });
    const smoke = command(run, "recommendation-engine-canary-smoke");
    const route = run.resources.find((r) => r.type === "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute");
    expect(route?.dependencies).toContain(smoke.urn);
    expect(resourceByObjectName(run, DEPLOYMENT, "recommendation-engine").dependencies).toContain(smoke.urn);
    expect(smoke.dependencies).toContain(resourceByObjectName(run, DEPLOYMENT, "recommendation-engine-canary").urn);
    expect(inputs(smoke).create).toContain("--expect-version v4.1.0");
  });

  it("warns, naming the key, that a canary without an HTTPRoute takes traffic before its smoke test passes", async () => {
    const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    try {
      await runProgram("production", (raw) => {
        withChecks(raw);
        delete raw.services["recommendation-engine"]!["httpRoute"];
      });
      const said = warn.mock.calls.map(([message]) => String(message));
      expect(said.filter((m) => m.startsWith("safe-deploy:services.recommendation-engine.httpRoute: is not set, so the canary's pods take their replica share"))).toHaveLength(1);
      warn.mockClear();
      await runProgram("production", withChecks);
      expect(warn.mock.calls.map(([message]) => String(message)).filter((m) => m.includes(".httpRoute: is not set"))).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });

  it("has no canary smoke test at weight 0, where the canary has no pods", async () => {
    const { run } = await runProgram("production", (raw) => {
      withChecks(raw);
      raw.services["recommendation-engine"]!["canaryWeight"] = 0;
    });
    expect(ofType(run, COMMAND).map((r) => r.name).filter((n) => n.startsWith("recommendation-engine"))).toEqual([]);
  });

  it("verifies a rolling service after its rollout, every ready endpoint on the new version", async () => {
    const { run } = await runProgram("production", withChecks);
    const verify = command(run, "user-api-verify");
    expect(verify.dependencies).toContain(resourceByObjectName(run, DEPLOYMENT, "user-api").urn);
    expect(inputs(verify).create).toContain("--expect-pods app=user-api,app.kubernetes.io/version=v2.4.0");
  });
});

describe("what re-runs a step", () => {
  const stepInputs = async (edit: (raw: RawStackConfig) => void) => {
    const { run } = await runProgram("production", (raw) => {
      withChecks(raw);
      edit(raw);
    });
    return Object.fromEntries(ofType(run, COMMAND).map((r) => [r.name, inputs(r)]));
  };

  it("builds the same steps when nothing they check changed (replicas, resources)", async () => {
    const before = await stepInputs(() => {});
    const after = await stepInputs((raw) => {
      raw.services["payment-service"]!["replicas"] = 6;
      raw.services["user-api"]!["resources"] = { requests: { cpu: "200m", memory: "128Mi" }, limits: { cpu: "1", memory: "256Mi" } };
    });
    expect(after).toEqual(before);
  });

  it("triggers the smoke test and verify on the slot and its version", async () => {
    const before = await stepInputs(() => {});
    const back = await stepInputs((raw) => (raw.services["payment-service"]!["liveSlot"] = "blue"));
    const newer = await stepInputs((raw) => (raw.services["payment-service"]!["greenVersion"] = "v3.2.1"));
    expect(before["payment-service-smoke"]!.triggers.slice(0, 3)).toEqual(["smoke", "slot green", "v3.2.0"]);
    expect(back["payment-service-smoke"]!.triggers.slice(0, 3)).toEqual(["smoke", "slot blue", "v3.1.0"]);
    expect(newer["payment-service-verify"]!.triggers.slice(0, 3)).toEqual(["verify", "slot green", "v3.2.1"]);
  });

  it("triggers on the checks' config: a critical request or the verify window", async () => {
    const before = await stepInputs(() => {});
    const request = await stepInputs((raw) => ((raw.services["payment-service"]!["checks"] as typeof PAYMENT_CHECKS).criticalRequests[0]!.expectStatus = 200));
    const window = await stepInputs((raw) => ((raw.services["payment-service"]!["checks"] as typeof PAYMENT_CHECKS).verify.everySeconds = 5));
    expect(request["payment-service-smoke"]!.triggers).not.toEqual(before["payment-service-smoke"]!.triggers);
    expect(window["payment-service-verify"]!.triggers).not.toEqual(before["payment-service-verify"]!.triggers);
    expect(window["payment-service-smoke"]!.triggers).toEqual(before["payment-service-smoke"]!.triggers);
  });
});

describe("secrets of the check steps", () => {
  it("hands the token and the webhook only through the environment, never on the command line or stdin", async () => {
    const { run } = await runProgram("production", withChecks);
    for (const step of ofType(run, COMMAND)) {
      const { create, stdin, triggers } = inputs(step);
      const visible = JSON.stringify({ create, stdin, triggers });
      expect(visible, step.name).not.toContain(TOKEN);
      expect(visible, step.name).not.toContain("not-a-real-key");
    }
    const smoke = inputs(command(run, "payment-service-smoke"));
    expect(smoke.stdin).toContain("Bearer ${PAYMENT_TOKEN}");
    expect(smoke.create).toContain("--requests -");
  });

  it("marks each step's environment a Pulumi secret", async () => {
    const { run } = await runProgram("production", withChecks);
    await run.settled();
    const steps = ofType(run, COMMAND);
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) {
      const environment = step.inputs["environment"];
      // The mocks hand inputs over as the engine receives them: a secret arrives in the secret envelope.
      expect(environment, step.name).toMatchObject({ [SECRET_SIG]: SECRET_VALUE_SIG });
    }
  });
});

describe("the cluster verify reads", () => {
  const KUBECONFIG = "apiVersion: v1\nkind: Config\nusers: [{ name: u, user: { token: kube-token-0123456789 } }]\n";

  it("is the provider's: its context on verify's line, its kubeconfig only in verify's secret environment", async () => {
    const { run } = await runProgram("production", withChecks, { otherConfig: { "kubernetes:kubeconfig": KUBECONFIG, "kubernetes:context": "prod-east" } });
    await run.settled();
    const verify = inputs(command(run, "payment-service-verify"));
    expect(verify.create).toContain("--context prod-east");
    expect(verify.environment).toMatchObject({ [SECRET_SIG]: SECRET_VALUE_SIG });
    expect((verify.environment as unknown as { value: Record<string, string> }).value["SAFE_DEPLOY_KUBECONFIG"]).toBe(KUBECONFIG);
    for (const step of ofType(run, COMMAND)) {
      const { create, stdin, triggers, environment } = inputs(step);
      expect(JSON.stringify({ create, stdin, triggers }), step.name).not.toContain("kube-token");
      // Only the steps that read EndpointSlices get the kubeconfig at all.
      if (!create.includes("--service ")) expect(JSON.stringify(environment ?? {}), step.name).not.toContain("kube-token");
    }
  });

  it("is the checker's own KUBECONFIG and context when the provider sets neither", async () => {
    const { run } = await runProgram("production", withChecks);
    const verify = inputs(command(run, "payment-service-verify"));
    expect(verify.create).not.toContain("--context");
    expect(JSON.stringify(verify.environment)).not.toContain("SAFE_DEPLOY_KUBECONFIG");
  });
});

describe("a rollback keeps verify to one round", () => {
  const history = (target: string, rollback: boolean) => ({ checks: { "payment-service": { target, version: target.split(" ")[1], rollback, served: ["v3.1.0", "v3.2.0"] } } });
  const verifyCreate = async (referencedOutputs: Record<string, unknown>) => {
    const { run, outputs } = await runProgram(
      "production",
      (raw) => {
        withChecks(raw);
        raw.services["payment-service"]!["liveSlot"] = "blue";
      },
      { referencedOutputs },
    );
    return { create: inputs(command(run, "payment-service-verify")).create, outputs };
  };

  it("verifies one round when traffic goes back to a version that served here", async () => {
    const { create, outputs } = await verifyCreate(history("green v3.2.0", false));
    expect(create).toContain("--every 10 --for 10");
    expect(outputs.checks?.["payment-service"]).toMatchObject({ target: "blue v3.1.0", rollback: true });
  });

  it("keeps that decision on the next up, which then changes nothing", async () => {
    const { create } = await verifyCreate(history("blue v3.1.0", true));
    expect(create).toContain("--every 10 --for 10");
  });

  it("verifies the whole window for a version that never served here", async () => {
    const { create } = await verifyCreate({ checks: { "payment-service": { target: "green v3.2.0", version: "v3.2.0", rollback: false, served: ["v3.2.0"] } } });
    expect(create).toContain("--for 300");
  });
});

describe("config of the checks", () => {
  const problems = (edit: (raw: RawStackConfig) => void) =>
    problemsOf(
      editedRaw("production", (raw) => {
        withChecks(raw);
        edit(raw);
      }),
    );

  it("names the missing URL of the slot traffic switches to", () => {
    expect(problems((raw) => delete (raw.services["payment-service"]!["checks"] as { urls: Record<string, string> }).urls.green)).toEqual([
      "safe-deploy:services.payment-service.checks.urls.green: is required: the smoke test reaches the 'green' slot there before traffic switches to it",
    ]);
  });

  it("refuses a credential in plain text in a critical request", () => {
    const [problem] = problems((raw) => ((raw.services["payment-service"]!["checks"] as typeof PAYMENT_CHECKS).criticalRequests[0]!.headers.authorization = "Bearer abc"));
    expect(problem).toMatch(/^safe-deploy:services\.payment-service\.checks\.criticalRequests\[0\]\.headers\.authorization: must not hold a credential in plain text/);
  });

  it("names a secret a request refers to that the stack does not define", () => {
    expect(problems((raw) => (raw["checkSecrets"] = {}))).toEqual([
      "safe-deploy:services.payment-service.checks.criticalRequests[0].headers.authorization: refers to ${PAYMENT_TOKEN}, which safe-deploy:checkSecrets does not define (pulumi config set --secret --path 'checkSecrets.PAYMENT_TOKEN' ...)",
    ]);
  });

  it("refuses a webhook that is not an http(s) URL, without repeating it", () => {
    const [problem] = problems((raw) => (raw["webhookUrl"] = "hooks.example.com/secret-path"));
    expect(problem).toMatch(/^safe-deploy:webhookUrl: must be an http\(s\) URL/);
  });
});
