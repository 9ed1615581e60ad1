import { describe, expect, it } from "vitest";
import { parseStackConfig, rawConfigFromAll, StackConfigError } from "../../config/load";
import { program } from "../../program";
import { startMockRun } from "../support/pulumi-mocks";
import { STACKS, stackFileConfig, stackFileRaw } from "../support/stack-files";

type Raw = Record<string, unknown> & { services: Record<string, unknown>[] };

/** The staging stack file with one change: awsguard's one-field-per-case style. */
function stagingWith(change: (raw: Raw) => void): Raw {
  const raw = structuredClone(stackFileRaw("staging")) as Raw;
  change(raw);
  return raw;
}

function problemsOf(raw: Record<string, unknown>): readonly string[] {
  try {
    parseStackConfig(raw);
  } catch (error) {
    if (error instanceof StackConfigError) return error.problems;
    throw error;
  }
  throw new Error("the config was accepted");
}

const service = (raw: Raw, name: string): Record<string, unknown> => {
  const found = raw.services.find((s) => s.name === name);
  if (found === undefined) throw new Error(`no service ${name}`);
  return found;
};

describe("stack config", () => {
  it.each(STACKS)("accepts the shipped %s stack file", (stack) => {
    const config = parseStackConfig(rawConfigFromAll(stackFileConfig(stack)));
    expect(config.environment).toBe(stack);
    expect(config.services.map((s) => `${s.name}:${s.strategy}`)).toEqual([
      "user-api:rolling",
      "payment-service:blue-green",
      "recommendation-engine:canary",
    ]);
  });

  it("fills in the documented defaults", () => {
    const config = parseStackConfig(
      stagingWith((raw) => {
        raw.services = [{ name: "api", image: "registry.example.com/api", strategy: "rolling", version: "v1.0.0" }];
      }),
    );
    expect(config.createNamespace).toBe(true);
    expect(config.services[0]).toMatchObject({
      replicas: 2,
      port: 8080,
      healthPath: "/health",
      versionPath: "/version",
      progressDeadlineSeconds: 300,
      revisionHistoryLimit: 10,
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    });
  });

  it.each<[string, (raw: Raw) => void, string]>([
    [
      "a version that is not a version",
      (raw) => (service(raw, "user-api").version = "latest-and-greatest"),
      "safe-deploy:services[0].version: must be a semantic version such as v2.4.0 (got 'latest-and-greatest')",
    ],
    [
      "a canary weight of 140",
      (raw) => (service(raw, "recommendation-engine").canaryWeight = 140),
      "safe-deploy:services[2].canaryWeight: must be between 0 and 100 (got 140)",
    ],
    [
      "a blue-green service whose live slot has no version",
      (raw) => {
        service(raw, "payment-service").liveSlot = "blue";
        delete service(raw, "payment-service").blueVersion;
      },
      "safe-deploy:services[1].blueVersion: must be set: liveSlot is 'blue', so that slot needs a version to serve traffic",
    ],
    [
      "two services with one name",
      (raw) => (service(raw, "recommendation-engine").name = "user-api"),
      "safe-deploy:services[2].name: 'user-api' is already the name of services[0]; service names must be unique",
    ],
    [
      "an image with :latest",
      (raw) => (service(raw, "user-api").image = "registry.example.com/shop/user-api:latest"),
      "safe-deploy:services[0].image: must be an image repository without a tag: ':latest' is never deployed, because it does not say what runs (got 'registry.example.com/shop/user-api:latest')",
    ],
    [
      "an image with a tag of its own",
      (raw) => (service(raw, "user-api").image = "registry.example.com:5000/shop/user-api:v2.4.0"),
      "safe-deploy:services[0].image: must be an image repository without a tag: the version picks the tag (got 'registry.example.com:5000/shop/user-api:v2.4.0')",
    ],
    [
      "an unknown strategy",
      (raw) => (service(raw, "user-api").strategy = "big-bang"),
      "safe-deploy:services[0].strategy: strategy must be 'rolling', 'blue-green' or 'canary'",
    ],
    [
      "a number where text is wanted",
      (raw) => (service(raw, "user-api").healthPath = 8080),
      "safe-deploy:services[0].healthPath: must be a string (got 8080)",
    ],
    [
      "a misspelt setting",
      (raw) => (service(raw, "user-api").replica = 3),
      "safe-deploy:services[0].replica: is not a known setting (check its spelling)",
    ],
    [
      "a missing environment",
      (raw) => delete raw.environment,
      "safe-deploy:environment: must be 'staging' or 'production'",
    ],
    [
      "too short a revision history for rollout undo",
      (raw) => (service(raw, "user-api").revisionHistoryLimit = 2),
      "safe-deploy:services[0].revisionHistoryLimit: must be at least 5, so that `kubectl rollout undo` has revisions to go back to",
    ],
    [
      "a canary weight without a canary version",
      (raw) => delete service(raw, "recommendation-engine").canaryVersion,
      "safe-deploy:services[2].canaryVersion: must be set when canaryWeight is 20",
    ],
    [
      "a one-pod canary that would take all traffic",
      (raw) => (service(raw, "recommendation-engine").replicas = 1),
      "safe-deploy:services[2].replicas: must be at least 2 for a canary at 20%: with 1 replica the canary would take all traffic",
    ],
    [
      "a previous version equal to the version",
      (raw) => (service(raw, "user-api").previousVersion = "v2.4.0"),
      "safe-deploy:services[0].previousVersion: must differ from version (both are 'v2.4.0')",
    ],
    [
      "a migration for a version the service does not run",
      (raw) => ((service(raw, "payment-service").migration as Record<string, unknown>).version = "v9.0.0"),
      "safe-deploy:services[1].migration.version: 'v9.0.0' is not a version this service runs",
    ],
  ])("refuses %s, naming the key path", (_what, change, problem) => {
    expect(problemsOf(stagingWith(change))).toContain(problem);
  });

  it("reports every bad key at once", () => {
    const problems = problemsOf(
      stagingWith((raw) => {
        service(raw, "user-api").version = "two";
        service(raw, "recommendation-engine").canaryWeight = -1;
      }),
    );
    expect(problems).toHaveLength(2);
  });

  it("fails the program before any resource is registered", async () => {
    const config = stackFileConfig("production");
    const services = JSON.parse(config["safe-deploy:services"] ?? "[]") as Record<string, unknown>[];
    (services[2] as Record<string, unknown>).canaryWeight = 140;
    const run = await startMockRun({ stack: "production", config: { ...config, "safe-deploy:services": JSON.stringify(services) } });

    await expect(program()).rejects.toThrow(/safe-deploy:services\[2\]\.canaryWeight: must be between 0 and 100 \(got 140\)/);
    await run.settled();
    expect(run.resources).toEqual([]);
  });

  it("takes label values that `pulumi config set --path` stored as booleans or numbers as text", () => {
    const config = parseStackConfig(
      stagingWith((raw) => {
        (service(raw, "payment-service").migration as Record<string, unknown>).podLabels = { "mesh.example.com/inject": false, tier: 2 };
      }),
    );
    expect(config.services[1]?.migration?.podLabels).toEqual({ "mesh.example.com/inject": "false", tier: "2" });
  });

  it("decodes Pulumi's string values: booleans, JSON objects, plain strings", () => {
    expect(
      rawConfigFromAll({
        "safe-deploy:createNamespace": "false",
        "safe-deploy:services": '[{"name":"a"}]',
        "safe-deploy:namespace": "shop",
        "kubernetes:context": "ignored",
      }),
    ).toEqual({ createNamespace: false, services: [{ name: "a" }], namespace: "shop" });
  });
});
