// When the Kubernetes stand-in counts an object as ready, from the objects
// alone (await.ts polls the cluster for them). No cluster needed.
import { describe, expect, it } from "vitest";
import type { JsonObject } from "./shared/json";
import { deploymentReadiness, jobReadiness, serviceReadiness, SERVICE_HAS_NO_PODS } from "./kubernetes/readiness";

const condition = (type: string, status: string, reason = "", message = ""): JsonObject => ({ type, status, reason, message });

function deployment(args: { revision: string; replicas: number; conditions: JsonObject[]; observedGeneration?: number }): JsonObject {
  return {
    metadata: { name: "web", uid: "d-1", generation: 3, annotations: { "deployment.kubernetes.io/revision": args.revision } },
    spec: { replicas: args.replicas },
    status: { observedGeneration: args.observedGeneration ?? 3, conditions: args.conditions },
  };
}

function replicaSet(revision: string, replicas: number, readyReplicas: number | undefined): JsonObject {
  return {
    metadata: { ownerReferences: [{ uid: "d-1" }], annotations: { "deployment.kubernetes.io/revision": revision } },
    spec: { replicas },
    status: readyReplicas === undefined ? {} : { readyReplicas },
  };
}

const rolledOut = [condition("Available", "True"), condition("Progressing", "True", "NewReplicaSetAvailable")];

describe("Deployment readiness", () => {
  it("is ready when available, rolled out and every Pod of the current ReplicaSet is ready", () => {
    expect(deploymentReadiness(deployment({ revision: "2", replicas: 3, conditions: rolledOut }), [replicaSet("2", 3, 3)])).toEqual({ state: "ready" });
  });

  it("is ready from the current ReplicaSet alone, as the real provider decides, while the Deployment's own status still lags", () => {
    const lagging = [condition("Available", "True"), condition("Progressing", "True", "ReplicaSetUpdated")];

    expect(deploymentReadiness(deployment({ revision: "2", replicas: 3, conditions: lagging }), [replicaSet("1", 1, 1), replicaSet("2", 3, 3)])).toEqual({ state: "ready" });
  });

  it("waits while the new ReplicaSet runs fewer than the Deployment's replicas, mid-rollout", () => {
    const result = deploymentReadiness(deployment({ revision: "2", replicas: 4, conditions: rolledOut }), [replicaSet("1", 2, 2), replicaSet("2", 2, 2)]);

    expect(result).toMatchObject({ state: "waiting", waitingFor: "the Deployment to become available: 2/4 Pods of revision 2 ready" });
  });

  it("waits while the controller has not seen the latest generation", () => {
    const result = deploymentReadiness(deployment({ revision: "2", replicas: 3, conditions: rolledOut, observedGeneration: 2 }), [replicaSet("2", 3, 3)]);

    expect(result).toMatchObject({ state: "waiting", waitingFor: "the Deployment controller to observe generation 3" });
  });

  it("waits for the Pods of the new revision, not the old one's", () => {
    const result = deploymentReadiness(deployment({ revision: "2", replicas: 3, conditions: rolledOut }), [replicaSet("1", 3, 3), replicaSet("2", 3, 1)]);

    expect(result).toMatchObject({ state: "waiting", waitingFor: expect.stringContaining("1/3 Pods of revision 2 ready") });
  });

  it("is ready at once with zero replicas", () => {
    expect(deploymentReadiness(deployment({ revision: "1", replicas: 0, conditions: [condition("Available", "True")] }), [replicaSet("1", 0, undefined)])).toEqual({ state: "ready" });
  });

  it("keeps waiting on ProgressDeadlineExceeded, as the real provider does, and carries it as a warning", () => {
    const stalled = [condition("Available", "True"), condition("Progressing", "False", "ProgressDeadlineExceeded", 'ReplicaSet "web-2" has timed out progressing.')];

    const result = deploymentReadiness(deployment({ revision: "2", replicas: 3, conditions: stalled }), [replicaSet("2", 3, 0)]);

    expect(result).toMatchObject({ state: "waiting", warnings: ['[ProgressDeadlineExceeded] ReplicaSet "web-2" has timed out progressing.'] });
  });
});

describe("Job readiness", () => {
  it("is ready when the Job is Complete", () => {
    expect(jobReadiness({ status: { conditions: [condition("Complete", "True")] } })).toEqual({ state: "ready" });
  });

  it("fails at once with the reason when the Job is Failed", () => {
    const result = jobReadiness({ status: { conditions: [condition("Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit")] } });

    expect(result).toEqual({ state: "failed", reason: "the Job failed: [BackoffLimitExceeded] Job has reached the specified backoff limit" });
  });
});

describe("Service readiness", () => {
  const service = (spec: JsonObject): JsonObject => ({ metadata: { name: "web" }, spec });

  it("is ready once its Endpoints list a ready address", () => {
    const endpoints = { subsets: [{ addresses: [{ ip: "10.244.0.5" }] }] };

    expect(serviceReadiness(service({ selector: { app: "web" } }), endpoints)).toEqual({ state: "ready" });
  });

  it("waits while the selected Pods are not ready", () => {
    const endpoints = { subsets: [{ notReadyAddresses: [{ ip: "10.244.0.5" }] }] };

    expect(serviceReadiness(service({ selector: { app: "web" } }), endpoints)).toMatchObject({ state: "waiting", waitingFor: SERVICE_HAS_NO_PODS });
  });

  it("does not wait for a Service without a selector, a headless one or an ExternalName", () => {
    expect(serviceReadiness(service({}), undefined)).toEqual({ state: "ready" });
    expect(serviceReadiness(service({ selector: { app: "web" }, clusterIP: "None" }), undefined)).toEqual({ state: "ready" });
    expect(serviceReadiness(service({ type: "ExternalName", externalName: "example.com" }), undefined)).toEqual({ state: "ready" });
  });
});
