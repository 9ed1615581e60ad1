// The Kubernetes stand-in against a real local cluster (etcd, kube-apiserver,
// controller-manager, scheduler and kwok), its provider methods called directly.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as provider from "@pulumi/pulumi/provider";
import { valueAt, type JsonObject } from "./shared/json";
import { LOG_ENV } from "./shared/call-log";
import { makeSecret } from "./shared/secrets";
import { ClusterClient } from "./kubernetes/cluster-client";
import { ResourceInitError } from "./kubernetes/errors";
import type { ObjectRef } from "./kubernetes/object-ref";
import { KUBERNETES_PROVIDER_VERSION, kubernetesProvider } from "./kubernetes/provider";
import { SERVICE_HAS_NO_PODS } from "./kubernetes/readiness";
import { clusterReady, toolchainReady, useLocalCluster } from "./testing/prerequisites";
import { toolchainBin } from "../../tools/toolchain/paths";

const FAIL_LABEL = "safe-deploy.dev/fail"; // tools/cluster/stages/pod-fail-labelled.yaml: kwok fails these pods
/** A node selector no simulated node matches: the Pods stay Pending, the Deployment never becomes ready. */
const NOWHERE = { "safe-deploy.dev/no-such-node": "true" };
const urn = (type: string, name: string): string => `urn:pulumi:dev::safe-deploy::${type}::${name}`;
const T = {
  deployment: "kubernetes:apps/v1:Deployment",
  job: "kubernetes:batch/v1:Job",
  service: "kubernetes:core/v1:Service",
  secret: "kubernetes:core/v1:Secret",
  namespace: "kubernetes:core/v1:Namespace",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
  route: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
};

interface DeploymentArgs {
  readonly image?: string;
  readonly replicas?: number;
  readonly annotations?: Record<string, string>;
  readonly unschedulable?: boolean;
  readonly progressDeadlineSeconds?: number;
}

function deployment(name: string, args: DeploymentArgs = {}): JsonObject {
  const podSpec: JsonObject = { containers: [{ name: "app", image: args.image ?? "registry.local/app:1" }], ...(args.unschedulable === true ? { nodeSelector: NOWHERE } : {}) };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default", labels: { app: name }, ...(args.annotations ? { annotations: args.annotations } : {}) },
    spec: {
      replicas: args.replicas ?? 2,
      ...(args.progressDeadlineSeconds === undefined ? {} : { progressDeadlineSeconds: args.progressDeadlineSeconds }),
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: podSpec },
    },
  };
}

function job(name: string, failing: boolean): JsonObject {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: "default" },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels: failing ? { [FAIL_LABEL]: "true" } : {} },
        spec: { restartPolicy: "Never", containers: [{ name: "migrate", image: "registry.local/migrate:1" }] },
      },
    },
  };
}

function service(name: string, app: string, annotations: Record<string, string> = {}): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "default", annotations },
    spec: { selector: { app }, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
  };
}

const refOf = (object: JsonObject): ObjectRef => {
  const metadata = object["metadata"] as JsonObject;
  return {
    apiVersion: String(object["apiVersion"]),
    kind: String(object["kind"]),
    name: String(metadata["name"]),
    ...(metadata["namespace"] === undefined ? {} : { namespace: String(metadata["namespace"]) }),
  };
};

const image = (object: JsonObject | undefined): unknown =>
  ((((object?.["spec"] as JsonObject)["template"] as JsonObject)["spec"] as JsonObject)["containers"] as JsonObject[])[0]?.["image"];

/** Each managed-fields entry as `manager/operation`, plus `/subresource` when it has one. */
const managers = (object: JsonObject | undefined): string[] =>
  (((object?.["metadata"] as JsonObject | undefined)?.["managedFields"] ?? []) as JsonObject[]).map(
    (m) => `${String(m["manager"])}/${String(m["operation"])}${m["subresource"] === undefined ? "" : `/${String(m["subresource"])}`}`,
  );

/** The managers (as `managers` names them) whose field set holds the path of FieldsV1 keys. */
function ownersOf(object: JsonObject | undefined, ...path: string[]): string[] {
  const entries = ((object?.["metadata"] as JsonObject | undefined)?.["managedFields"] ?? []) as JsonObject[];
  return managers(object).filter((_name, i) => valueAt(entries[i]?.["fieldsV1"], ...path) !== undefined);
}

const IMAGE_FIELD = ["f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"app"}', "f:image"];
const REPLICAS_FIELD = ["f:spec", "f:replicas"];

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

describe.skipIf(!clusterReady("the Kubernetes stand-in's cluster tests"))("the Kubernetes stand-in on a local cluster", () => {
  const cluster = useLocalCluster();
  let k8s: provider.Provider;
  let api: ClusterClient;

  beforeAll(async () => {
    k8s = kubernetesProvider({ kubeconfigPath: cluster().kubeconfigPath, await: { serviceSettleMs: 0 } });
    api = await ClusterClient.load({ kubeconfigPath: cluster().kubeconfigPath });
  });

  /** check then create, as the engine does. */
  async function create(type: string, object: JsonObject, through: provider.Provider = k8s): Promise<{ id: string; outs: JsonObject }> {
    const name = String((object["metadata"] as JsonObject)["name"]);
    const checked = await through.check?.(urn(type, name), {}, object);
    const created = await through.create?.(urn(type, name), checked?.inputs);
    if (created === undefined) throw new Error("no create");
    return { id: created.id, outs: created.outs as JsonObject };
  }

  it("reports the version the @pulumi/kubernetes SDK asks for", () => {
    expect(k8s.version).toBe(KUBERNETES_PROVIDER_VERSION);
    expect(KUBERNETES_PROVIDER_VERSION).toBe("4.34.2");
  });

  it("creates a Deployment, waits for its Pods and returns the live object with its inputs under __inputs", async () => {
    const inputs = deployment("created-web");

    const { id, outs } = await create(T.deployment, inputs);

    expect(id).toBe("default/created-web");
    expect(outs["status"]).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2 });
    expect((outs["metadata"] as JsonObject)["uid"]).toEqual(expect.any(String));
    expect(outs["__inputs"]).toEqual(inputs);
    expect(outs["__fieldManager"]).toBe("pulumi-kubernetes");
    expect(managers(outs)).toContain("pulumi-kubernetes/Update");
  });

  it("refuses to create an object that already exists, as the real provider does", async () => {
    await create(T.deployment, deployment("existing-web", { replicas: 0 }));

    const again = create(T.deployment, deployment("existing-web", { replicas: 0 }));

    await expect(again).rejects.toThrow(
      'resource default/existing-web was not successfully created by the Kubernetes API server: deployments.apps "existing-web" already exists',
    );
  });

  it("adopts an object that already exists under PULUMI_K8S_UPSERT_EXISTING_OBJECTS, in place (same uid), as upsertExistingObjects does", async () => {
    const first = await create(T.deployment, deployment("adopted-web", { replicas: 0 }));
    process.env["PULUMI_K8S_UPSERT_EXISTING_OBJECTS"] = "true";
    try {
      const { id, outs } = await create(T.deployment, deployment("adopted-web", { replicas: 1 }));
      expect(id).toBe("default/adopted-web");
      expect((outs["metadata"] as JsonObject)["uid"]).toBe((first.outs["metadata"] as JsonObject)["uid"]);
      expect(outs["spec"]).toMatchObject({ replicas: 1 });
    } finally {
      delete process.env["PULUMI_K8S_UPSERT_EXISTING_OBJECTS"];
    }
  });

  it("is ready at once with zero replicas", async () => {
    const started = Date.now();

    await create(T.deployment, deployment("idle-web", { replicas: 0 }));

    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("updates by server-side apply with the object's own field manager and waits for the new Pods", async () => {
    const { id, outs } = await create(T.deployment, deployment("updated-web"));

    const updated = (await k8s.update?.(id, urn(T.deployment, "updated-web"), outs, deployment("updated-web", { image: "registry.local/app:2" })))?.outs as JsonObject;

    expect(image(updated)).toBe("registry.local/app:2");
    expect(updated["status"]).toMatchObject({ updatedReplicas: 2, readyReplicas: 2 });
    expect(updated["__fieldManager"]).toBe("pulumi-kubernetes");
    // The create's Update entry is handed to the apply manager first.
    expect(managers(updated)).toContain("pulumi-kubernetes/Apply");
    expect(managers(updated)).not.toContain("pulumi-kubernetes/Update");
  });

  it("keeps the random field manager an older checkpoint recorded, and takes over that create's fields", async () => {
    const object = deployment("legacy-web", { replicas: 0 });
    await api.create(object, refOf(object), "pulumi-kubernetes-0a1b2c3d");
    const read = await k8s.read?.("default/legacy-web", urn(T.deployment, "legacy-web"), { __fieldManager: "pulumi-kubernetes-0a1b2c3d", __inputs: object });

    const updated = (await k8s.update?.("default/legacy-web", urn(T.deployment, "legacy-web"), read?.props, deployment("legacy-web", { replicas: 0, image: "registry.local/app:2" })))?.outs as JsonObject;

    expect(read?.props?.["__fieldManager"]).toBe("pulumi-kubernetes-0a1b2c3d");
    expect(updated["__fieldManager"]).toBe("pulumi-kubernetes-0a1b2c3d");
    expect(ownersOf(updated, ...IMAGE_FIELD)).toEqual(["pulumi-kubernetes-0a1b2c3d/Apply"]);
    expect(managers(updated)).not.toContain("pulumi-kubernetes-0a1b2c3d/Update");
  });

  describe.skipIf(!toolchainReady("the stand-in's tests that run kubectl", ["kubectl"]))("after kubectl changed the object", () => {
    const run = promisify(execFile);
    const kubectl = async (...args: string[]): Promise<void> => {
      await run(toolchainBin("kubectl"), [...args, "-n", "default"], { env: { ...process.env, KUBECONFIG: cluster().kubeconfigPath } });
    };

    it("takes back what `kubectl patch` changed, without pulumi.com/patchForce", async () => {
      const { id, outs } = await create(T.deployment, deployment("patched-web", { replicas: 1 }));
      await kubectl("patch", "deployment/patched-web", "-p", JSON.stringify({ spec: { template: { spec: { containers: [{ name: "app", image: "registry.local/app:hotfix" }] } } } }));
      const patched = await api.get(refOf(deployment("patched-web")));

      const updated = (await k8s.update?.(id, urn(T.deployment, "patched-web"), outs, deployment("patched-web", { replicas: 1, image: "registry.local/app:2" })))?.outs as JsonObject;

      expect(image(patched)).toBe("registry.local/app:hotfix");
      expect(ownersOf(patched, ...IMAGE_FIELD)).toEqual(["kubectl-patch/Update"]);
      expect(image(updated)).toBe("registry.local/app:2");
      expect(ownersOf(updated, ...IMAGE_FIELD)).toEqual(["pulumi-kubernetes/Apply"]);
      expect(managers(updated)).not.toContain("kubectl-patch/Update");
    });

    it("takes back what `kubectl rollout undo` changed, without pulumi.com/patchForce", async () => {
      const { id, outs } = await create(T.deployment, deployment("undone-web", { replicas: 1 }));
      const released = (await k8s.update?.(id, urn(T.deployment, "undone-web"), outs, deployment("undone-web", { replicas: 1, image: "registry.local/app:2" })))?.outs as JsonObject;
      await kubectl("rollout", "undo", "deployment/undone-web");
      const undone = await api.get(refOf(deployment("undone-web")));

      const again = (await k8s.update?.(id, urn(T.deployment, "undone-web"), released, deployment("undone-web", { replicas: 1, image: "registry.local/app:2" })))?.outs as JsonObject;

      expect(image(undone)).toBe("registry.local/app:1");
      // kubectl 1.36 sends no field manager for an undo: the API server names it after the user agent.
      expect(ownersOf(undone, ...IMAGE_FIELD)).toEqual(["kubectl/Update"]);
      expect(image(again)).toBe("registry.local/app:2");
      expect(ownersOf(again, ...IMAGE_FIELD)).toEqual(["pulumi-kubernetes/Apply"]);
      expect(again["status"]).toMatchObject({ updatedReplicas: 1, readyReplicas: 1 });
    });

    it("does not take over `kubectl scale` (the scale subresource): a different replica count conflicts unless pulumi.com/patchForce is true", async () => {
      const { id, outs } = await create(T.deployment, deployment("scaled-web", { replicas: 1 }));
      await kubectl("scale", "deployment/scaled-web", "--replicas=2");
      const scaled = await api.get(refOf(deployment("scaled-web")));

      const plain = k8s.update?.(id, urn(T.deployment, "scaled-web"), outs, deployment("scaled-web", { replicas: 3 }));
      const failure = await failureOf(plain ?? Promise.resolve());
      const forced = await k8s.update?.(id, urn(T.deployment, "scaled-web"), outs, deployment("scaled-web", { replicas: 3, annotations: { "pulumi.com/patchForce": "true" } }));

      expect(ownersOf(scaled, ...REPLICAS_FIELD)).toEqual(["kubectl/Update/scale"]);
      expect(String(failure)).toContain("Server-Side Apply field conflict detected");
      expect(String(failure)).toContain('Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas');
      expect((forced?.outs as JsonObject)["spec"]).toMatchObject({ replicas: 3 });
      expect(ownersOf(forced?.outs as JsonObject, ...REPLICAS_FIELD)).toEqual(["pulumi-kubernetes/Apply"]);
    });
  });

  it("fails a Deployment that never becomes ready at its pulumi.com/timeoutSeconds, naming it and what it waited for, and keeps it in the state", async () => {
    const stuck = deployment("stuck-web", { unschedulable: true, annotations: { "pulumi.com/timeoutSeconds": "3" } });

    const failure = await failureOf(create(T.deployment, stuck));

    expect(failure).toBeInstanceOf(ResourceInitError);
    const error = failure as ResourceInitError;
    expect(error.message).toContain("resource default/stuck-web was successfully created, but the Kubernetes API server reported that it failed to fully initialize or become live");
    expect(error.message).toContain("timed out after 3 s waiting for Deployment default/stuck-web to become ready: still waiting for the Deployment to become available: 0/2 Pods of revision 1 ready");
    expect(error.id).toBe("default/stuck-web");
    expect((error.properties["metadata"] as JsonObject)["name"]).toBe("stuck-web");
    expect(error.properties["__inputs"]).toEqual(stuck);
  });

  it("quotes ProgressDeadlineExceeded when a stalled rollout times out", async () => {
    const stalled = deployment("stalled-web", { unschedulable: true, progressDeadlineSeconds: 1, annotations: { "pulumi.com/timeoutSeconds": "6" } });

    const failure = await failureOf(create(T.deployment, stalled));

    expect(String(failure)).toContain("[ProgressDeadlineExceeded]");
  });

  it("does not wait when the object has pulumi.com/skipAwait", async () => {
    const started = Date.now();

    const { outs } = await create(T.deployment, deployment("unawaited-web", { unschedulable: true, annotations: { "pulumi.com/skipAwait": "true" } }));

    expect(Date.now() - started).toBeLessThan(3_000);
    expect((outs["status"] as JsonObject | undefined)?.["readyReplicas"]).toBeUndefined();
  });

  it("waits for a Job to complete", async () => {
    const { outs } = await create(T.job, job("migrate-ok", false));

    expect(outs["status"]).toMatchObject({ succeeded: 1 });
  });

  it("fails a Job's create as soon as the Job fails, quoting its reason", async () => {
    const started = Date.now();

    const failure = await failureOf(create(T.job, job("migrate-broken", true)));

    expect(String(failure)).toContain("Job default/migrate-broken failed to become ready: the Job failed: [BackoffLimitExceeded]");
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it("waits for a Service to have a ready endpoint, and times out on one that selects no Pods, saying so", async () => {
    await create(T.deployment, deployment("served-web"));

    const served = await create(T.service, service("served-web", "served-web"));
    const failure = await failureOf(create(T.service, service("unserved-web", "nothing", { "pulumi.com/timeoutSeconds": "2" })));

    expect(served.id).toBe("default/served-web");
    expect(String(failure)).toContain(SERVICE_HAS_NO_PODS);
  });

  it("waits for a Service's endpoints to settle, as the real provider does", async () => {
    await create(T.deployment, deployment("settled-web", { replicas: 1 }));
    const settling = kubernetesProvider({ kubeconfigPath: cluster().kubeconfigPath, await: { serviceSettleMs: 1_500 } });
    const started = Date.now();

    await create(T.service, service("settled-web", "settled-web"), settling);

    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
  });

  it("creates and deletes a Namespace, a PodDisruptionBudget and a Gateway API HTTPRoute", async () => {
    const objects: [string, JsonObject][] = [
      [T.namespace, { apiVersion: "v1", kind: "Namespace", metadata: { name: "standin-ns" } }],
      [T.pdb, { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "web", namespace: "default" }, spec: { minAvailable: 1, selector: { matchLabels: { app: "web" } } } }],
      [T.route, {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: "web", namespace: "default" },
        spec: { parentRefs: [{ name: "gateway" }], rules: [{ backendRefs: [{ name: "web-stable", port: 80, weight: 80 }, { name: "web-canary", port: 80, weight: 20 }] }] },
      }],
    ];

    for (const [type, object] of objects) {
      const { id, outs } = await create(type, object);
      expect(await api.get(refOf(object))).toBeDefined();
      await k8s.delete?.(id, urn(type, "x"), outs);
      expect(await api.get(refOf(object))).toBeUndefined();
    }
  });

  it("deletes a Deployment together with its Pods and waits until it is gone; deleting it again succeeds", async () => {
    const { id, outs } = await create(T.deployment, deployment("deleted-web"));

    await k8s.delete?.(id, urn(T.deployment, "deleted-web"), outs);

    expect(await api.get(refOf(deployment("deleted-web")))).toBeUndefined();
    expect(await api.list({ apiVersion: "v1", kind: "Pod" }, "default", "app=deleted-web")).toEqual([]);
    await expect(k8s.delete?.(id, urn(T.deployment, "deleted-web"), outs)).resolves.toBeUndefined();
  });

  it("reads the live object back, changes made in the cluster included, and an empty id once it is gone", async () => {
    const { id, outs } = await create(T.deployment, deployment("read-web"));
    await api.patch(refOf(deployment("read-web")), { spec: { template: { spec: { containers: [{ name: "app", image: "registry.local/app:0" }] } } } }, "kubectl-rollout");

    const read = await k8s.read?.(id, urn(T.deployment, "read-web"), outs);
    const drift = await k8s.diff?.(id, urn(T.deployment, "read-web"), read?.props, deployment("read-web"));
    await k8s.delete?.(id, urn(T.deployment, "read-web"), outs);
    const gone = await k8s.read?.(id, urn(T.deployment, "read-web"), outs);

    expect(read?.id).toBe("default/read-web");
    expect(image(read?.props as JsonObject)).toBe("registry.local/app:0");
    expect(image(read?.inputs as JsonObject)).toBe("registry.local/app:0");
    expect(drift?.changes).toBe(true);
    expect(gone?.id).toBe("");
  });

  it("reads an object it did not create (an import), making its inputs from the live object", async () => {
    await api.create(deployment("imported-web", { replicas: 0 }), refOf(deployment("imported-web")), "kubectl-create");

    const read = await k8s.read?.("default/imported-web", urn(T.deployment, "imported-web"), {});

    const inputs = read?.inputs as JsonObject;
    expect(read?.id).toBe("default/imported-web");
    expect(inputs["status"]).toBeUndefined();
    expect(inputs["metadata"]).toEqual({ name: "imported-web", namespace: "default", labels: { app: "imported-web" } });
    expect(image(inputs)).toBe("registry.local/app:1");
  });

  it("applies secret inputs in the clear and keeps them wrapped as secrets in the state", async () => {
    const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "db-credentials", namespace: "default" }, stringData: { password: makeSecret("s3cr3t") } };

    const { outs } = await create(T.secret, secret);

    const live = await api.get(refOf(secret));
    expect((live?.["data"] as JsonObject)["password"]).toBe(Buffer.from("s3cr3t").toString("base64"));
    expect(outs["data"]).toEqual(makeSecret({ password: Buffer.from("s3cr3t").toString("base64") }));
    expect((outs["__inputs"] as JsonObject)["stringData"]).toEqual(makeSecret({ password: "s3cr3t" }));
  });
});

describe("the Kubernetes stand-in without a cluster", () => {
  let dir: string;
  let server: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "standin-k8s-"));
    server = `https://127.0.0.1:${String(await closedPort())}`;
    writeFileSync(
      join(dir, "kubeconfig"),
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters: [{name: gone, cluster: {server: '" + server + "', insecure-skip-tls-verify: true}}]",
        "users: [{name: admin, user: {token: not-a-secret}}]",
        "contexts: [{name: gone, context: {cluster: gone, user: admin}}]",
        "current-context: gone",
      ].join("\n"),
    );
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("fails fast on an unreachable cluster, naming the API server from the kubeconfig", async () => {
    const k8s = kubernetesProvider({ kubeconfigPath: join(dir, "kubeconfig") });
    const started = Date.now();

    const failure = await failureOf(Promise.resolve(k8s.create?.(urn(T.deployment, "web"), deployment("web"))));

    expect(String(failure)).toContain(`configured Kubernetes cluster is unreachable: cannot reach the Kubernetes API server at ${server}`);
    expect(Date.now() - started).toBeLessThan(6_000);
  });

  it("logs one line per call to the file SAFE_DEPLOY_STANDIN_LOG names", async () => {
    const log = join(dir, "calls.log");
    process.env[LOG_ENV] = log;
    try {
      const k8s = kubernetesProvider({ kubeconfigPath: join(dir, "kubeconfig") });
      await k8s.check?.(urn(T.deployment, "web"), {}, deployment("web"));
      await failureOf(Promise.resolve(k8s.create?.(urn(T.deployment, "web"), deployment("web"))));
    } finally {
      delete process.env[LOG_ENV];
    }

    const lines = readFileSync(log, "utf8").trim().split("\n");
    expect(lines.some((line) => /kubernetes\[\d+\] check urn:\S+::web ok/.test(line))).toBe(true);
    expect(lines.some((line) => /kubernetes\[\d+\] create urn:\S+::web FAILED .*unreachable/.test(line))).toBe(true);
  });
});

/** A local port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
