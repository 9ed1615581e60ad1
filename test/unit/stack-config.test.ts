// The stack config: what the shipped files parse to, the defaults, and every
// refusal by its exact message, naming the key as `pulumi config set --path` takes it.
import { describe, expect, it } from "vitest";
import { parseStackConfig, rawConfigFromAll } from "../../config/load";
import { program } from "../../program";
import { startMockRun } from "../support/pulumi-mocks";
import { asAllConfig, editedRaw, problemsOf, type RawStackConfig, type StackEdit } from "../support/run-program";
import { STACKS, stackFileConfig } from "../support/stack-files";

/** One service of the raw config, to edit in place. */
const svc = (raw: RawStackConfig, name: string): Record<string, unknown> => {
  const found = raw.services[name];
  if (found === undefined) throw new Error(`no service ${name}`);
  return found;
};
const migration = (raw: RawStackConfig) => svc(raw, "payment-service")["migration"] as Record<string, unknown>;
const rollingService = { image: "registry.example.com/shop/other", strategy: "rolling", version: "v1.0.0" };

describe("stack config", () => {
  it.each(STACKS)("accepts the shipped %s stack file, services keyed by name in the file's order", (stack) => {
    const config = parseStackConfig(rawConfigFromAll(stackFileConfig(stack)));
    expect(config.environment).toBe(stack);
    expect(config.namespace).toBe(stack);
    expect(config.services.map((s) => `${s.name}:${s.strategy}`)).toEqual(["user-api:rolling", "payment-service:blue-green", "recommendation-engine:canary"]);
  });

  it("fills in the documented defaults", () => {
    const config = parseStackConfig(editedRaw("staging", (raw) => (raw.services = { api: { image: "registry.example.com/api", strategy: "rolling", version: "v1.0.0" } })));
    expect(config.createNamespace).toBe(true);
    expect(config.services[0]).toMatchObject({
      name: "api",
      replicas: 2,
      port: 8080,
      healthPath: "/health",
      versionPath: "/version",
      progressDeadlineSeconds: 300,
      revisionHistoryLimit: 10,
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    });
  });

  // Each row: why it is refused, the edit of the staging file, the exact message.
  it.each<[string, StackEdit, string]>([
    // Shape of the services map.
    ["services as a list, the old shape", (raw) => ((raw as Record<string, unknown>).services = [{ name: "user-api" }]), "safe-deploy:services: must be a map keyed by service name, e.g. services: { user-api: { strategy: rolling, ... } }"],
    ["no services at all", (raw) => (raw.services = {}), "safe-deploy:services: must list at least one service"],
    ["a service name Kubernetes refuses", (raw) => (raw.services["User_API"] = rollingService), "safe-deploy:services.User_API: 'User_API' is not a usable service name: it must be a lowercase RFC 1123 name: letters, digits and '-', starting with a letter"],
    ["a service name too long for its suffixes", (raw) => (raw.services["a".repeat(41)] = rollingService), `safe-deploy:services.${"a".repeat(41)}: '${"a".repeat(41)}' is not a usable service name: it must be at most 40 characters, so that '-canary', '-green' and '-migration-<version>' still fit`],
    // Names two services would share.
    ["a service named like a blue-green slot of another", (raw) => (raw.services["payment-service-blue"] = rollingService), "safe-deploy:services.payment-service-blue: would own the Deployment 'payment-service-blue', which service 'payment-service' owns already; rename one of them"],
    ["a service named like another's canary track", (raw) => (raw.services["recommendation-engine-canary"] = rollingService), "safe-deploy:services.recommendation-engine-canary: would own the Deployment 'recommendation-engine-canary', which service 'recommendation-engine' owns already; rename one of them"],
    // Values.
    ["a version that is not a version", (raw) => (svc(raw, "user-api")["version"] = "latest-and-greatest"), "safe-deploy:services.user-api.version: must be a semantic version such as v2.4.0 (got 'latest-and-greatest')"],
    ["a version too long for a label value", (raw) => (svc(raw, "user-api")["version"] = `v1.0.0-${"a".repeat(60)}`), "safe-deploy:services.user-api.version: must be at most 63 characters, since it becomes a label value (got 67)"],
    ["a migration Job name over 63 characters", (raw) => (migration(raw)["name"] = "payment-ledger-and-invoice-migration", svc(raw, "payment-service")["greenVersion"] = "v3.2.0-rc.1.with.build.notes"), "safe-deploy:services.payment-service.migration.name: would name the Job 'payment-ledger-and-invoice-migration-v3.2.0-rc.1.with.build.notes' (65 characters); Kubernetes allows at most 63"],
    ["a canary weight of 140", (raw) => (svc(raw, "recommendation-engine")["canaryWeight"] = 140), "safe-deploy:services.recommendation-engine.canaryWeight: must be between 0 and 100 (got 140)"],
    ["a blue-green service whose live slot has no version", (raw) => (svc(raw, "payment-service")["liveSlot"] = "blue", delete svc(raw, "payment-service")["blueVersion"]), "safe-deploy:services.payment-service.blueVersion: must be set: liveSlot is 'blue', so that slot needs a version to serve traffic"],
    ["a slot that is not blue or green", (raw) => (svc(raw, "payment-service")["liveSlot"] = "purple"), "safe-deploy:services.payment-service.liveSlot: must be 'blue' or 'green'"],
    ["an image with :latest", (raw) => (svc(raw, "user-api")["image"] = "registry.example.com/shop/user-api:latest"), "safe-deploy:services.user-api.image: must be an image repository without a tag: ':latest' is never deployed, because it does not say what runs (got 'registry.example.com/shop/user-api:latest')"],
    ["an image with a tag of its own", (raw) => (svc(raw, "user-api")["image"] = "registry.example.com:5000/shop/user-api:v2.4.0"), "safe-deploy:services.user-api.image: must be an image repository without a tag: the version picks the tag (got 'registry.example.com:5000/shop/user-api:v2.4.0')"],
    ["an unknown strategy", (raw) => (svc(raw, "user-api")["strategy"] = "big-bang"), "safe-deploy:services.user-api.strategy: strategy must be 'rolling', 'blue-green' or 'canary'"],
    ["a number where text is wanted", (raw) => (svc(raw, "user-api")["healthPath"] = 8080), "safe-deploy:services.user-api.healthPath: must be text (got 8080)"],
    ["a health path without a leading slash", (raw) => (svc(raw, "user-api")["healthPath"] = "health"), "safe-deploy:services.user-api.healthPath: must be an HTTP path starting with '/', without spaces"],
    ["a misspelt setting", (raw) => (svc(raw, "user-api")["replica"] = 3), "safe-deploy:services.user-api.replica: is not a known setting (check its spelling)"],
    ["a missing environment", (raw) => delete raw["environment"], "safe-deploy:environment: must be 'staging' or 'production'"],
    ["a namespace Kubernetes refuses", (raw) => (raw["namespace"] = "Shop_Prod"), "safe-deploy:namespace: must be a lowercase RFC 1123 label"],
    ["createNamespace as a word", (raw) => (raw["createNamespace"] = "yes"), 'safe-deploy:createNamespace: must be true or false (got "yes")'],
    // Bounds, in our words.
    ["zero replicas", (raw) => (svc(raw, "user-api")["replicas"] = 0), "safe-deploy:services.user-api.replicas: must be at least 1; to stop a service, remove it"],
    ["more replicas than the bound", (raw) => (svc(raw, "user-api")["replicas"] = 1001), "safe-deploy:services.user-api.replicas: must be at most 1000 (got 1001)"],
    ["a fraction of a replica", (raw) => (svc(raw, "user-api")["replicas"] = 2.5), "safe-deploy:services.user-api.replicas: must be a whole number (got 2.5)"],
    ["a port above 65535", (raw) => (svc(raw, "user-api")["port"] = 70000), "safe-deploy:services.user-api.port: must be at most 65535 (got 70000)"],
    ["a progress deadline too short to roll out", (raw) => (svc(raw, "user-api")["progressDeadlineSeconds"] = 10), "safe-deploy:services.user-api.progressDeadlineSeconds: must be at least 30 (got 10)"],
    ["too short a revision history for rollout undo", (raw) => (svc(raw, "user-api")["revisionHistoryLimit"] = 2), "safe-deploy:services.user-api.revisionHistoryLimit: must be at least 5, so that `kubectl rollout undo` has revisions to go back to"],
    ["a migration deadline under 30 s", (raw) => (migration(raw)["activeDeadlineSeconds"] = 10), "safe-deploy:services.payment-service.migration.activeDeadlineSeconds: must be at least 30 (got 10)"],
    ["eleven migration retries", (raw) => (migration(raw)["backoffLimit"] = 11), "safe-deploy:services.payment-service.migration.backoffLimit: must be at most 10: a migration that failed ten times needs a person, not an eleventh try"],
    ["a migration without a command", (raw) => (migration(raw)["command"] = []), 'safe-deploy:services.payment-service.migration.command: must name the migration command, e.g. ["./migrate", "up"]'],
    // Resources the API server would refuse.
    ["a CPU request above its limit", (raw) => (svc(raw, "user-api")["resources"] = { requests: { cpu: "2", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } }), "safe-deploy:services.user-api.resources.requests.cpu: must not be above limits.cpu (request 2, limit 500m)"],
    ["a memory request above its limit", (raw) => (svc(raw, "user-api")["resources"] = { requests: { cpu: "100m", memory: "1Gi" }, limits: { cpu: "500m", memory: "512Mi" } }), "safe-deploy:services.user-api.resources.requests.memory: must not be above limits.memory (request 1Gi, limit 512Mi)"],
    ["a quantity Kubernetes cannot read", (raw) => (svc(raw, "user-api")["resources"] = { requests: { cpu: "one", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } }), "safe-deploy:services.user-api.resources.requests.cpu: must be a Kubernetes quantity such as 250m, 1, 256Mi or 1Gi"],
    // Labels, Secrets, routes.
    ["a pod label the program sets itself", (raw) => (migration(raw)["podLabels"] = { app: "payment-service" }), "safe-deploy:services.payment-service.migration.podLabels.app: 'app' is a label safe-deploy sets itself; choose another key"],
    ["a pod label key Kubernetes refuses", (raw) => (migration(raw)["podLabels"] = { "mesh inject": "false" }), "safe-deploy:services.payment-service.migration.podLabels.mesh inject: 'mesh inject' is not a label key: an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.'"],
    ["a label value over 63 characters", (raw) => (migration(raw)["podLabels"] = { tier: "x".repeat(64) }), "safe-deploy:services.payment-service.migration.podLabels.tier: must be a label value of at most 63 characters"],
    ["a Secret name Kubernetes refuses", (raw) => (svc(raw, "user-api")["envFromSecrets"] = ["DB_Creds"]), "safe-deploy:services.user-api.envFromSecrets[0]: must be a lowercase RFC 1123 label"],
    ["an HTTPRoute hostname that is an IP address", (raw) => (svc(raw, "recommendation-engine")["httpRoute"] = { gatewayName: "public", hostnames: ["10.0.0.1"] }), "safe-deploy:services.recommendation-engine.httpRoute.hostnames[0]: must be a DNS name; the Gateway API refuses IP addresses"],
    ["an HTTPRoute hostname with a port", (raw) => (svc(raw, "recommendation-engine")["httpRoute"] = { gatewayName: "public", hostnames: ["shop.example.com:443"] }), "safe-deploy:services.recommendation-engine.httpRoute.hostnames[0]: must be a lowercase DNS name such as shop.example.com or *.example.com"],
    ["seventeen HTTPRoute hostnames", (raw) => (svc(raw, "recommendation-engine")["httpRoute"] = { gatewayName: "public", hostnames: Array.from({ length: 17 }, (_, i) => `h${i}.example.com`) }), "safe-deploy:services.recommendation-engine.httpRoute.hostnames: must list at most 16 hostnames, the Gateway API's bound"],
    // Rules across fields.
    ["a canary weight without a canary version", (raw) => delete svc(raw, "recommendation-engine")["canaryVersion"], "safe-deploy:services.recommendation-engine.canaryVersion: must be set when canaryWeight is 20"],
    ["a canary of the stable version itself", (raw) => (svc(raw, "recommendation-engine")["canaryVersion"] = "v4.0.3"), "safe-deploy:services.recommendation-engine.canaryVersion: is the stable version (v4.0.3): a canary of the version already serving proves nothing; set the version under test, or canaryWeight 0"],
    ["a verify window shorter than one round", (raw) => (svc(raw, "user-api")["checks"] = { urls: { live: "http://user-api" }, verify: { everySeconds: 30, forSeconds: 10 } }), "safe-deploy:services.user-api.checks.verify.forSeconds: must be at least everySeconds (30): a window shorter than one round checks once"],
    ["an error budget of every round", (raw) => (svc(raw, "user-api")["checks"] = { urls: { live: "http://user-api" }, verify: { everySeconds: 10, forSeconds: 30, errorBudget: 3 } }), "safe-deploy:services.user-api.checks.verify.errorBudget: must be below the 3 rounds of the window (forSeconds 30 / everySeconds 10): a budget of every round never fails"],
    ["a one-pod canary that would take all traffic", (raw) => (svc(raw, "recommendation-engine")["replicas"] = 1), "safe-deploy:services.recommendation-engine.replicas: must be at least 2 for a canary at 20%: with 1 replica the canary would take all traffic"],
    ["a previous version equal to the version", (raw) => (svc(raw, "user-api")["previousVersion"] = "v2.4.0"), "safe-deploy:services.user-api.previousVersion: must differ from version (both are 'v2.4.0')"],
    ["a migration for a version the service does not deploy", (raw) => (migration(raw)["version"] = "v9.0.0"), "safe-deploy:services.payment-service.migration.version: 'v9.0.0' is not a version this service deploys (v3.1.0, v3.2.0)"],
  ])("refuses %s, naming the key path", (_what, change, problem) => {
    expect(problemsOf(editedRaw("staging", change))).toContain(problem);
  });

  it("refuses two services whose migrations would share a Job", () => {
    const problems = problemsOf(
      editedRaw("staging", (raw) => {
        svc(raw, "user-api")["version"] = "v3.2.0";
        svc(raw, "user-api")["previousVersion"] = "v3.1.0";
        svc(raw, "user-api")["migration"] = { name: "payment-migration", command: ["./migrate"], kind: "expand" };
      }),
    );
    expect(problems).toContain("safe-deploy:services.payment-service: would own the Job 'payment-migration-v3.2.0', which service 'user-api' owns already; rename one of them");
  });

  it("refuses in production a canary step that puts more than twice the asked share on the canary", () => {
    const edit: StackEdit = (raw) => {
      svc(raw, "recommendation-engine")["replicas"] = 3;
      svc(raw, "recommendation-engine")["canaryWeight"] = 10;
    };
    expect(problemsOf(editedRaw("production", edit))).toEqual([
      "safe-deploy:services.recommendation-engine.canaryWeight: asks for 10% but 1 of 3 replicas would give the canary 33.3% of the traffic; " +
        "production refuses more than twice the asked share: replicas: 5 gives 20%, or set httpRoute for exact weights",
    ]);
    // Staging takes it (with a warning), and exact weights make it right in production.
    expect(() => parseStackConfig(editedRaw("staging", edit))).not.toThrow();
    expect(() =>
      parseStackConfig(
        editedRaw("production", (raw) => {
          edit(raw);
          svc(raw, "recommendation-engine")["httpRoute"] = { gatewayName: "public" };
        }),
      ),
    ).not.toThrow();
  });

  it("reports every bad key at once", () => {
    const problems = problemsOf(
      editedRaw("staging", (raw) => {
        svc(raw, "user-api")["version"] = "two";
        svc(raw, "recommendation-engine")["canaryWeight"] = -1;
      }),
    );
    expect(problems).toHaveLength(2);
  });

  it("fails the program before any resource is registered", async () => {
    const raw = editedRaw("production", (r) => (svc(r, "recommendation-engine")["canaryWeight"] = 140));
    const run = await startMockRun({ stack: "production", config: asAllConfig(raw) });

    await expect(program()).rejects.toThrow(/safe-deploy:services\.recommendation-engine\.canaryWeight: must be between 0 and 100 \(got 140\)/);
    await run.settled();
    expect(run.resources).toEqual([]);
  });

  it("takes label values and quantities that `pulumi config set --path` stored as booleans or numbers as text", () => {
    const config = parseStackConfig(
      editedRaw("staging", (raw) => {
        migration(raw)["podLabels"] = { "mesh.example.com/inject": false, tier: 2 };
        svc(raw, "user-api")["resources"] = { requests: { cpu: 1, memory: "128Mi" }, limits: { cpu: 2, memory: "256Mi" } };
      }),
    );
    expect(config.services[1]?.migration?.podLabels).toEqual({ "mesh.example.com/inject": "false", tier: "2" });
    expect(config.services[0]?.resources.limits.cpu).toBe("2");
  });

  it("decodes Pulumi's string values: booleans, JSON objects, plain strings", () => {
    expect(
      rawConfigFromAll({
        "safe-deploy:createNamespace": "false",
        "safe-deploy:services": '{"a":{"strategy":"rolling"}}',
        "safe-deploy:namespace": "shop",
        "kubernetes:context": "ignored",
      }),
    ).toEqual({ createNamespace: false, services: { a: { strategy: "rolling" } }, namespace: "shop" });
  });
});
