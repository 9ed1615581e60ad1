// Each component under Pulumi's mocks: the fields that matter, asserted one behaviour at a time.
import { describe, expect, it } from "vitest";
import { BlueGreenDeployment } from "../../components/blue-green-deployment";
import { CanaryDeployment } from "../../components/canary-deployment";
import { MigrationJob } from "../../components/migration-job";
import { RollingDeployment } from "../../components/rolling-deployment";
import { ServiceSelectorSwitch } from "../../components/service-selector-switch";
import { Workload, type WorkloadArgs } from "../../components/workload";
import { blueGreenServiceSchema, canaryServiceSchema, rollingServiceSchema, type Environment } from "../../config/schema";
import type { z } from "zod";
import { plannedMigrationOf } from "../../strategies/registry";
import { k8sObject, ofType, registeredOutputs, resourceByObjectName, startMockRun, type MockRun } from "../support/pulumi-mocks";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const JOB = "kubernetes:batch/v1:Job";

/** A service's config as the stack schema yields it: parsed, with its key as `name`. */
function named<S extends z.ZodType>(name: string, schema: S, raw: Record<string, unknown>): z.infer<S> & { readonly name: string } {
  return { name, ...(schema.parse(raw) as object) } as z.infer<S> & { readonly name: string };
}

async function underMocks(build: () => void, stack = "production"): Promise<MockRun> {
  const run = await startMockRun({ stack });
  build();
  await run.settled();
  return run;
}

const workloadArgs = (overrides: Partial<WorkloadArgs> = {}): WorkloadArgs => ({
  namespace: "shop",
  environment: "production",
  service: "user-api",
  deploymentName: "user-api",
  image: "registry.example.com/shop/user-api",
  version: "v2.4.0",
  replicas: 3,
  port: 8080,
  healthPath: "/healthz",
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
  progressDeadlineSeconds: 300,
  revisionHistoryLimit: 10,
  ...overrides,
});

describe("Workload", () => {
  it("pins the image to the version and probes the health path on the http port", async () => {
    const run = await underMocks(() => new Workload("w", workloadArgs()));
    const container = k8sObject(run, DEPLOYMENT, "user-api").spec.template.spec.containers[0];
    expect(container.image).toBe("registry.example.com/shop/user-api:v2.4.0");
    expect(container.readinessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(container.ports).toEqual([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
    expect(container.resources).toEqual({ requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } });
  });

  it("runs as non-root with no privilege escalation, no capabilities and a read-only root", async () => {
    const run = await underMocks(() => new Workload("w", workloadArgs()));
    const pod = k8sObject(run, DEPLOYMENT, "user-api").spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it("labels pods with the runbook's app label and the recommended app.kubernetes.io labels", async () => {
    const run = await underMocks(() => new Workload("w", workloadArgs()));
    const deployment = k8sObject(run, DEPLOYMENT, "user-api");
    expect(deployment.spec.selector).toEqual({ matchLabels: { app: "user-api" } });
    expect(deployment.spec.template.metadata.labels).toEqual({
      app: "user-api",
      "app.kubernetes.io/name": "user-api",
      "app.kubernetes.io/instance": "user-api-production",
      "app.kubernetes.io/version": "v2.4.0",
      "app.kubernetes.io/component": "server",
      "app.kubernetes.io/part-of": "safe-deploy",
      "app.kubernetes.io/managed-by": "pulumi",
    });
  });

  it.each<[Environment, unknown]>([
    ["production", 0],
    ["staging", "25%"],
  ])("in %s takes away at most %s pods during a rollout", async (environment, maxUnavailable) => {
    const run = await underMocks(() => new Workload("w", workloadArgs({ environment })));
    const spec = k8sObject(run, DEPLOYMENT, "user-api").spec;
    expect(spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable } });
    expect(spec.progressDeadlineSeconds).toBe(300);
    expect(spec.revisionHistoryLimit).toBe(10);
  });

  it.each([
    [1, 0],
    [2, 1],
    [5, 1],
  ])("with %i replicas has %i PodDisruptionBudget", async (replicas, budgets) => {
    const run = await underMocks(() => new Workload("w", workloadArgs({ replicas })));
    expect(ofType(run, PDB)).toHaveLength(budgets);
    if (budgets > 0) expect(k8sObject(run, PDB, "user-api").spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { app: "user-api" } } });
  });

  it("adds configured pod labels beside its own, which they cannot replace", async () => {
    const run = await underMocks(() => new Workload("w", workloadArgs({ podLabels: { "mesh.example.com/inject": "true", app: "other" } })));
    const deployment = k8sObject(run, DEPLOYMENT, "user-api");
    expect(deployment.spec.template.metadata.labels).toMatchObject({ "mesh.example.com/inject": "true", app: "user-api" });
    expect(deployment.spec.selector).toEqual({ matchLabels: { app: "user-api" } });
  });

  it("labels its PodDisruptionBudget without the version, so a release leaves it untouched", async () => {
    const labels = (version: string) => async () => k8sObject(await underMocks(() => new Workload("w", workloadArgs({ version, variant: "canary" }))), PDB, "user-api").metadata.labels;
    expect(await labels("v2.4.0")()).toEqual(await labels("v2.5.0")());
    expect(await labels("v2.4.0")()).not.toHaveProperty("app.kubernetes.io/version");
  });

  it("registers as outputs exactly the fields it exposes", async () => {
    const run = await underMocks(() => new Workload("w", workloadArgs()));
    expect(await registeredOutputs(run, "safe-deploy:k8s:Workload")).toEqual({ deploymentName: "user-api", version: "v2.4.0", replicas: 3 });
  });

  it("takes fields back from a kubectl rollback and fails soon after the progress deadline", async () => {
    const run = await underMocks(() => new Workload("w", workloadArgs({ progressDeadlineSeconds: 120 })));
    expect(k8sObject(run, DEPLOYMENT, "user-api").metadata.annotations).toEqual({
      "pulumi.com/patchForce": "true",
      "pulumi.com/timeoutSeconds": "180",
    });
  });

  it("registers its Deployment as a child with the component's type token", async () => {
    const run = await underMocks(() => new Workload("w", workloadArgs()));
    const component = run.resources.find((r) => r.type === "safe-deploy:k8s:Workload");
    expect(component).toBeDefined();
    expect(resourceByObjectName(run, DEPLOYMENT, "user-api").parent).toBe(component?.urn);
  });
});

describe("MigrationJob", () => {
  const build = () =>
    new MigrationJob("m", {
      namespace: "shop",
      environment: "production",
      service: "payment-service",
      prefix: "payment-migration",
      version: "v3.2.0",
      image: "registry.example.com/shop/payment-service",
      command: ["./migrate", "up"],
      kind: "expand",
      backoffLimit: 2,
      activeDeadlineSeconds: 600,
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
      podLabels: { "sidecar.istio.io/inject": "false" },
    });

  it("names the Job after the version, bounds retries and time, and never deletes itself", async () => {
    const run = await underMocks(build);
    const job = k8sObject(run, JOB, "payment-migration-v3.2.0");
    expect(job.spec.backoffLimit).toBe(2);
    expect(job.spec.activeDeadlineSeconds).toBe(600);
    expect(job.spec).not.toHaveProperty("ttlSecondsAfterFinished");
    expect(job.spec.template.spec.restartPolicy).toBe("Never");
    expect(job.spec.template.spec.containers[0].image).toBe("registry.example.com/shop/payment-service:v3.2.0");
    expect(job.spec.template.spec.containers[0].command).toEqual(["./migrate", "up"]);
  });

  it("keeps its pods out of the service's selectors and carries the configured pod labels", async () => {
    const run = await underMocks(build);
    const labels = k8sObject(run, JOB, "payment-migration-v3.2.0").spec.template.metadata.labels;
    expect(labels).not.toHaveProperty("app");
    expect(labels).toMatchObject({ "safe-deploy.dev/migration-kind": "expand", "sidecar.istio.io/inject": "false" });
  });
});

describe("ServiceSelectorSwitch", () => {
  it("refuses to switch without something to wait for", async () => {
    const run = await startMockRun({ stack: "production" });
    expect(
      () =>
        new ServiceSelectorSwitch("s", { namespace: "shop", serviceName: "svc", labels: {}, selector: { app: "svc", version: "green" }, readyBeforeSwitch: [] }),
    ).toThrow(/'readyBeforeSwitch' is empty/);
    await run.settled();
    expect(ofType(run, SERVICE)).toEqual([]);
  });

  it("registers as outputs exactly the fields it exposes", async () => {
    const run = await underMocks(() => {
      const slot = new Workload("w", workloadArgs({ service: "svc", deploymentName: "svc-green", variant: "green" }));
      new ServiceSelectorSwitch("s", { namespace: "shop", serviceName: "svc", labels: {}, selector: { app: "svc", version: "green" }, readyBeforeSwitch: [slot.deployment] });
    });
    expect(await registeredOutputs(run, "safe-deploy:k8s:ServiceSelectorSwitch")).toEqual({ serviceName: "svc", selector: { app: "svc", version: "green" } });
  });
});

const context = { namespace: "shop", environment: "production" as const };

describe("RollingDeployment", () => {
  it("puts a Service in front of the Deployment's pods", async () => {
    const spec = named("user-api", rollingServiceSchema, { image: "r.example.com/user-api", strategy: "rolling", version: "v2.4.0", replicas: 5 });
    const run = await underMocks(() => new RollingDeployment("user-api", { ...context, spec }));
    expect(k8sObject(run, DEPLOYMENT, "user-api").spec.replicas).toBe(5);
    expect(k8sObject(run, SERVICE, "user-api").spec).toMatchObject({
      selector: { app: "user-api" },
      ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
    });
  });

  it("labels its Service without a version, so a release leaves the Service untouched", async () => {
    const spec = named("user-api", rollingServiceSchema, { image: "r.example.com/user-api", strategy: "rolling", version: "v2.4.0" });
    const run = await underMocks(() => new RollingDeployment("user-api", { ...context, spec }));
    expect(k8sObject(run, SERVICE, "user-api").metadata.labels).toEqual({
      app: "user-api",
      "app.kubernetes.io/name": "user-api",
      "app.kubernetes.io/instance": "user-api-production",
      "app.kubernetes.io/component": "server",
      "app.kubernetes.io/part-of": "safe-deploy",
      "app.kubernetes.io/managed-by": "pulumi",
    });
  });

  it("runs its migration before the Deployment", async () => {
    const spec = named("user-api", rollingServiceSchema, {
      image: "r.example.com/user-api",
      strategy: "rolling",
      version: "v2.4.0",
      migration: { command: ["migrate"], kind: "expand" },
    });
    // The migration as the program plans it and hands it to the component.
    const run = await underMocks(() => new RollingDeployment("user-api", { ...context, spec, migration: plannedMigrationOf(spec) }));
    const job = resourceByObjectName(run, JOB, "user-api-migration-v2.4.0");
    expect(resourceByObjectName(run, DEPLOYMENT, "user-api").dependencies).toContain(job.urn);
  });
});

describe("BlueGreenDeployment", () => {
  const spec = (overrides: Record<string, unknown> = {}) =>
    named("pay", blueGreenServiceSchema, {
      image: "r.example.com/pay",
      strategy: "blue-green",
      blueVersion: "v3.1.0",
      greenVersion: "v3.2.0",
      liveSlot: "green",
      replicas: 4,
      ...overrides,
    });

  it("keeps the standby slot running and gives each slot its own Service", async () => {
    const run = await underMocks(() => new BlueGreenDeployment("pay", { ...context, spec: spec() }));
    expect(k8sObject(run, DEPLOYMENT, "pay-blue").spec.replicas).toBe(4);
    expect(k8sObject(run, DEPLOYMENT, "pay-green").spec.replicas).toBe(4);
    expect(k8sObject(run, SERVICE, "pay-blue").spec.selector).toEqual({ app: "pay", version: "blue" });
    expect(k8sObject(run, SERVICE, "pay-green").spec.selector).toEqual({ app: "pay", version: "green" });
    expect(await registeredOutputs(run, "safe-deploy:k8s:BlueGreenDeployment")).toEqual({ liveSlot: "green", liveServiceName: "pay", previewServiceName: "pay-blue" });
  });

  it("points the live Service at the live slot only after that slot's Deployment", async () => {
    const run = await underMocks(() => new BlueGreenDeployment("pay", { ...context, spec: spec({ liveSlot: "blue" }) }));
    expect(k8sObject(run, SERVICE, "pay").spec.selector).toEqual({ app: "pay", version: "blue" });
    const live = resourceByObjectName(run, SERVICE, "pay");
    expect(live.dependencies).toContain(resourceByObjectName(run, DEPLOYMENT, "pay-blue").urn);
    expect(live.dependencies).not.toContain(resourceByObjectName(run, DEPLOYMENT, "pay-green").urn);
  });

  it("creates each slot's Service only after the slot's Deployment, so it is not awaited before pods exist", async () => {
    const run = await underMocks(() => new BlueGreenDeployment("pay", { ...context, spec: spec() }));
    for (const slot of ["blue", "green"]) {
      expect(resourceByObjectName(run, SERVICE, `pay-${slot}`).dependencies).toContain(resourceByObjectName(run, DEPLOYMENT, `pay-${slot}`).urn);
    }
  });

  it("scales a retired standby to zero and does not wait for its Service's endpoints", async () => {
    const run = await underMocks(() => new BlueGreenDeployment("pay", { ...context, spec: spec({ retireStandby: true }) }));
    expect(k8sObject(run, DEPLOYMENT, "pay-blue").spec.replicas).toBe(0);
    expect(k8sObject(run, SERVICE, "pay-blue").metadata.annotations).toEqual({ "pulumi.com/skipAwait": "true" });
    expect(k8sObject(run, SERVICE, "pay-green").metadata).not.toHaveProperty("annotations");
  });

  it("deploys only slots that have a version", async () => {
    const run = await underMocks(() => new BlueGreenDeployment("pay", { ...context, spec: spec({ blueVersion: undefined }) }));
    expect(ofType(run, DEPLOYMENT).map((r) => (r.inputs.metadata as { name: string }).name)).toEqual(["pay-green"]);
  });
});

describe("CanaryDeployment", () => {
  const spec = (overrides: Record<string, unknown> = {}) =>
    named("rec", canaryServiceSchema, {
      image: "r.example.com/rec",
      strategy: "canary",
      stableVersion: "v4.0.3",
      canaryVersion: "v4.1.0",
      canaryWeight: 20,
      replicas: 10,
      ...overrides,
    });

  it("splits replicas by weight behind one Service selecting both tracks", async () => {
    const run = await underMocks(() => new CanaryDeployment("rec", { ...context, spec: spec({ canaryWeight: 30 }) }));
    expect(k8sObject(run, DEPLOYMENT, "rec").spec.replicas).toBe(7);
    expect(k8sObject(run, DEPLOYMENT, "rec-canary").spec.replicas).toBe(3);
    expect(k8sObject(run, DEPLOYMENT, "rec").spec.template.metadata.labels).toMatchObject({ app: "rec", version: "stable" });
    expect(k8sObject(run, DEPLOYMENT, "rec-canary").spec.template.metadata.labels).toMatchObject({ app: "rec", version: "canary" });
    expect(k8sObject(run, SERVICE, "rec").spec.selector).toEqual({ app: "rec" });
  });

  it("registers as outputs the split and the share of traffic that really results", async () => {
    const run = await underMocks(() => new CanaryDeployment("rec", { ...context, spec: spec({ canaryWeight: 10, replicas: 3 }) }));
    expect(await registeredOutputs(run, "safe-deploy:k8s:CanaryDeployment")).toEqual({ serviceName: "rec", stableReplicas: 2, canaryReplicas: 1, canaryTrafficPercent: 33.3 });
  });

  it("leaves no canary pods at weight 0 (abort)", async () => {
    const run = await underMocks(() => new CanaryDeployment("rec", { ...context, spec: spec({ canaryWeight: 0 }) }));
    expect(k8sObject(run, DEPLOYMENT, "rec-canary").spec.replicas).toBe(0);
    expect(k8sObject(run, DEPLOYMENT, "rec").spec.replicas).toBe(10);
  });

  it("has no canary track once promoted", async () => {
    const run = await underMocks(
      () => new CanaryDeployment("rec", { ...context, spec: spec({ stableVersion: "v4.1.0", canaryVersion: undefined, canaryWeight: 0 }) }),
    );
    expect(ofType(run, DEPLOYMENT)).toHaveLength(1);
    expect(k8sObject(run, DEPLOYMENT, "rec").spec.template.spec.containers[0].image).toBe("r.example.com/rec:v4.1.0");
  });

  it("sets exact weights on an HTTPRoute once both tracks are ready", async () => {
    const run = await underMocks(
      () => new CanaryDeployment("rec", { ...context, spec: spec({ httpRoute: { gatewayName: "public", hostnames: ["shop.example.com"] } }) }),
    );
    const routeType = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
    const route = k8sObject(run, routeType, "rec");
    expect(route.spec).toEqual({
      parentRefs: [{ name: "public", namespace: "shop" }],
      hostnames: ["shop.example.com"],
      rules: [
        {
          backendRefs: [
            { name: "rec-stable", port: 80, weight: 80 },
            { name: "rec-canary", port: 80, weight: 20 },
          ],
        },
      ],
    });
    const dependencies = resourceByObjectName(run, routeType, "rec").dependencies;
    expect(dependencies).toContain(resourceByObjectName(run, DEPLOYMENT, "rec-canary").urn);
    expect(dependencies).toContain(resourceByObjectName(run, DEPLOYMENT, "rec").urn);
    expect(k8sObject(run, SERVICE, "rec-canary").spec.selector).toEqual({ app: "rec", version: "canary" });
  });
});
