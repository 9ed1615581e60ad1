// The Kubernetes stand-in's check and diff: naming, and which changes update
// in place, which replace, and when the old object goes first. No cluster needed.
import { describe, expect, it } from "vitest";
import type { JsonObject } from "./shared/json";
import { makeCheckpoint } from "./kubernetes/checkpoint";
import { makeSecret } from "./shared/secrets";
import { kubernetesProvider } from "./kubernetes/provider";

const provider = kubernetesProvider({ kubeconfigPath: "/nonexistent/kubeconfig" });
const urn = (type: string, name: string): string => `urn:pulumi:dev::safe-deploy::safe-deploy:k8s:Workload$${type}::${name}`;
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

function deployment(overrides: { name?: string; image?: string; app?: string; replicas?: number } = {}): JsonObject {
  const app = overrides.app ?? "web";
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { ...(overrides.name === undefined ? {} : { name: overrides.name }), namespace: "shop", labels: { app } },
    spec: {
      replicas: overrides.replicas ?? 2,
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: { containers: [{ name: "web", image: overrides.image ?? "web:1", ports: [{ name: "http", containerPort: 8080 }] }] } },
    },
  };
}

/** The state create would have left: the inputs, and a live object with what the API server adds. */
function stateAfterCreate(inputs: JsonObject): JsonObject {
  const live = structuredClone(inputs);
  const metadata = live["metadata"] as JsonObject;
  Object.assign(metadata, { uid: "1234", resourceVersion: "42", generation: 1, creationTimestamp: "2026-01-01T00:00:00Z" });
  const spec = live["spec"] as JsonObject;
  Object.assign(spec, { progressDeadlineSeconds: 600, revisionHistoryLimit: 10 });
  const container = ((((spec["template"] as JsonObject)["spec"] as JsonObject)["containers"] as JsonObject[])[0]) as JsonObject;
  Object.assign(container, { imagePullPolicy: "IfNotPresent", terminationMessagePath: "/dev/termination-log" });
  (container["ports"] as JsonObject[])[0] = { name: "http", containerPort: 8080, protocol: "TCP" };
  live["status"] = { replicas: 2, readyReplicas: 2 };
  return makeCheckpoint({ inputs, live, secretPaths: [], initialApiVersion: "apps/v1", fieldManager: "pulumi-kubernetes-abcd1234" });
}

async function diff(type: string, olds: JsonObject, news: JsonObject): Promise<{ changes?: boolean; replaces?: string[]; deleteBeforeReplace?: boolean }> {
  const result = await provider.diff?.("shop/x", urn(type, "x"), olds, news);
  if (result === undefined) throw new Error("the provider has no diff");
  return result;
}

describe("check", () => {
  it("names an unnamed object after its resource with 8 random hex characters and marks it autonamed", async () => {
    const result = await provider.check?.(urn(DEPLOYMENT, "web"), {}, deployment());

    const metadata = (result?.inputs as JsonObject)["metadata"] as JsonObject;
    expect(metadata["name"]).toMatch(/^web-[0-9a-f]{8}$/);
    expect(metadata["annotations"]).toEqual({ "pulumi.com/autonamed": "true" });
  });

  it("keeps an autonamed object's name on later checks", async () => {
    const first = await provider.check?.(urn(DEPLOYMENT, "web"), {}, deployment());

    const second = await provider.check?.(urn(DEPLOYMENT, "web"), first?.inputs, deployment({ image: "web:2" }));

    expect(((second?.inputs as JsonObject)["metadata"] as JsonObject)["name"]).toBe(((first?.inputs as JsonObject)["metadata"] as JsonObject)["name"]);
  });

  it("leaves an explicit name alone and fills apiVersion and kind from the type token", async () => {
    const { apiVersion: _a, kind: _k, ...bare } = deployment({ name: "user-api" });

    const result = await provider.check?.(urn(DEPLOYMENT, "user-api"), {}, bare);

    expect(result?.inputs).toEqual(deployment({ name: "user-api" }));
  });
});

describe("diff", () => {
  it("finds no change when only fields the cluster filled in differ from the inputs", async () => {
    const inputs = deployment({ name: "web" });

    const result = await diff(DEPLOYMENT, stateAfterCreate(inputs), inputs);

    expect(result.changes).toBe(false);
  });

  it("updates a Deployment in place when its image changes", async () => {
    const result = await diff(DEPLOYMENT, stateAfterCreate(deployment({ name: "web" })), deployment({ name: "web", image: "web:2" }));

    expect(result).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  it("replaces a named Deployment whose selector changes, deleting the old one first", async () => {
    const result = await diff(DEPLOYMENT, stateAfterCreate(deployment({ name: "web" })), deployment({ name: "web", app: "shop" }));

    expect(result.replaces).toEqual(['spec.selector.matchLabels.app']);
    expect(result.deleteBeforeReplace).toBe(true);
  });

  it("replaces an autonamed Deployment without deleting first, since the new one gets a new name", async () => {
    const named = deployment({ name: "web-0a1b2c3d" });
    (named["metadata"] as JsonObject)["annotations"] = { "pulumi.com/autonamed": "true" };
    const changed = structuredClone(named);
    (((changed["spec"] as JsonObject)["selector"] as JsonObject)["matchLabels"] as JsonObject)["app"] = "shop";

    const result = await diff(DEPLOYMENT, stateAfterCreate(named), changed);

    expect(result.replaces?.length).toBeGreaterThan(0);
    expect(result.deleteBeforeReplace).toBe(false);
  });

  it("replaces an object whose name changes", async () => {
    const result = await diff(DEPLOYMENT, stateAfterCreate(deployment({ name: "web" })), deployment({ name: "web-2" }));

    expect(result.replaces).toEqual(["metadata.name"]);
    expect(result.deleteBeforeReplace).toBe(false);
  });

  it("replaces a Job whose pod template changes", async () => {
    const job = (image: string): JsonObject => ({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "migrate-2-4-0", namespace: "shop" },
      spec: { backoffLimit: 1, template: { spec: { restartPolicy: "Never", containers: [{ name: "migrate", image }] } } },
    });

    const result = await diff("kubernetes:batch/v1:Job", makeCheckpoint({ inputs: job("m:1"), live: job("m:1"), secretPaths: [], initialApiVersion: "batch/v1", fieldManager: "m" }), job("m:2"));

    expect(result.replaces).toEqual(["spec.template.spec.containers[0].image"]);
    expect(result.deleteBeforeReplace).toBe(true);
  });

  it("updates a Job in place when only its backoffLimit changes", async () => {
    const job = (backoffLimit: number): JsonObject => ({ apiVersion: "batch/v1", kind: "Job", metadata: { name: "m", namespace: "shop" }, spec: { backoffLimit } });

    const result = await diff("kubernetes:batch/v1:Job", makeCheckpoint({ inputs: job(1), live: job(1), secretPaths: [], initialApiVersion: "batch/v1", fieldManager: "m" }), job(3));

    expect(result).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  it("replaces a Service whose clusterIP changes but updates one whose selector changes", async () => {
    const service = (selector: string, clusterIP?: string): JsonObject => ({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "shop" },
      spec: { selector: { version: selector }, ports: [{ port: 80 }], ...(clusterIP === undefined ? {} : { clusterIP }) },
    });
    const old = makeCheckpoint({ inputs: service("blue", "10.96.0.10"), live: service("blue", "10.96.0.10"), secretPaths: [], initialApiVersion: "v1", fieldManager: "m" });

    const selectorChange = await diff("kubernetes:core/v1:Service", old, service("green", "10.96.0.10"));
    const ipChange = await diff("kubernetes:core/v1:Service", old, service("blue", "10.96.0.11"));

    expect(selectorChange.replaces).toEqual([]);
    expect(ipChange.replaces).toEqual(["spec.clusterIP"]);
  });

  it("updates a policy/v1 PodDisruptionBudget in place", async () => {
    const pdb = (minAvailable: number): JsonObject => ({ apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "web", namespace: "shop" }, spec: { minAvailable } });

    const result = await diff("kubernetes:policy/v1:PodDisruptionBudget", makeCheckpoint({ inputs: pdb(1), live: pdb(1), secretPaths: [], initialApiVersion: "policy/v1", fieldManager: "m" }), pdb(2));

    expect(result.replaces).toEqual([]);
    expect(result.changes).toBe(true);
  });

  it("compares a Secret's stringData as the base64 data the cluster keeps, so an unchanged Secret is not replaced", async () => {
    const secret = (password: string): JsonObject => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "shop" }, stringData: { password: makeSecret(password) } });
    const live = { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "shop", uid: "1" }, type: "Opaque", data: { password: Buffer.from("s3cr3t").toString("base64") } };
    const state = makeCheckpoint({ inputs: secret("s3cr3t"), live, secretPaths: [["stringData", "password"]], initialApiVersion: "v1", fieldManager: "m" });

    const same = await diff("kubernetes:core/v1:Secret", state, secret("s3cr3t"));
    const changed = await diff("kubernetes:core/v1:Secret", state, secret("n3w"));

    expect(same.changes).toBe(false);
    expect(changed.replaces).toEqual(["data.password"]);
  });

  it("sees a change made in the cluster once a refresh has read it into the state", async () => {
    const inputs = deployment({ name: "web" });
    const refreshed = stateAfterCreate(inputs);
    const container = ((((refreshed["spec"] as JsonObject)["template"] as JsonObject)["spec"] as JsonObject)["containers"] as JsonObject[])[0] as JsonObject;
    container["image"] = "web:rolled-back";

    const result = await diff(DEPLOYMENT, refreshed, inputs);

    expect(result).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });
});
