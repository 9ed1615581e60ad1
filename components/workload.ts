// One Deployment of one version with the pod template every strategy shares,
// and a PodDisruptionBudget when it runs more than one pod.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Environment, ResourcesConfig } from "../config/schema";
import { names, podLabels, selectorLabels, unversionedLabels, VERSION_ENV, type Variant } from "../lib/names";
import { awaitTimeout, PATCH_FORCE } from "../lib/pulumi-annotations";

export interface WorkloadArgs {
  /** The namespace of the Deployment and its PodDisruptionBudget. */
  readonly namespace: pulumi.Input<string>;
  /** Production never takes a pod away before its replacement is ready (`maxUnavailable: 0`). */
  readonly environment: Environment;
  /** The service this Deployment belongs to (`app` label, container name). */
  readonly service: string;
  /** Deployment name: the service's own for rolling and stable, `<service>-<slot>` or `<service>-canary` otherwise. */
  readonly deploymentName: string;
  /** `blue`/`green` or `stable`/`canary`: joins `app` in the selector. @default - none (rolling) */
  readonly variant?: Variant;
  /** Image repository; the version is its tag. */
  readonly image: string;
  /** The version this Deployment runs: the image tag, the version label and SERVICE_VERSION. */
  readonly version: string;
  /** Pods; 0 keeps the Deployment (and its history) without pods. */
  readonly replicas: number;
  /** The container port serving HTTP, named `http`. */
  readonly port: number;
  /** Path of the readiness and liveness probes. */
  readonly healthPath: string;
  /** Requests and limits of the container. */
  readonly resources: ResourcesConfig;
  /** A rollout without progress this long fails; the provider's await gives up 60 s later. */
  readonly progressDeadlineSeconds: number;
  /** Old ReplicaSets kept for `kubectl rollout undo`. */
  readonly revisionHistoryLimit: number;
  /** Existing Secrets whose keys become environment variables. @default [] */
  readonly envFromSecrets?: readonly string[];
  /** Extra pod labels; the selector and recommended labels win over them. @default {} */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** Resources that must be done (or ready) before this Deployment changes: its migration Job, the track that grows first. @default [] */
  readonly runsAfter?: readonly pulumi.Resource[];
}

/** A restricted-profile security context: what Pod Security `restricted` demands. */
export const restrictedPodSecurityContext: k8s.types.input.core.v1.PodSecurityContext = {
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" },
};

export const restrictedContainerSecurityContext: k8s.types.input.core.v1.SecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
};

/**
 * `envFrom` for the named Secrets, or nothing: the API server drops empty
 * lists, and an empty list in the inputs would read as a change on every diff.
 */
export function envFromSecrets(secrets: readonly string[] | undefined): { envFrom?: k8s.types.input.core.v1.EnvFromSource[] } {
  return secrets === undefined || secrets.length === 0 ? {} : { envFrom: secrets.map((name) => ({ secretRef: { name } })) };
}

/** The pod template of one version: pinned image, probes, requests and limits, restricted security. */
export function podTemplate(args: WorkloadArgs): k8s.types.input.core.v1.PodTemplateSpec {
  const probe = (initialDelaySeconds: number, failureThreshold: number): k8s.types.input.core.v1.Probe => ({
    httpGet: { path: args.healthPath, port: "http" },
    initialDelaySeconds,
    periodSeconds: 5,
    timeoutSeconds: 2,
    failureThreshold,
  });
  return {
    metadata: {
      labels: { ...args.podLabels, ...podLabels({ service: args.service, version: args.version, environment: args.environment, variant: args.variant }) },
    },
    spec: {
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurityContext,
      terminationGracePeriodSeconds: 30,
      containers: [
        {
          name: args.service,
          image: `${args.image}:${args.version}`,
          imagePullPolicy: "IfNotPresent",
          ports: [{ name: "http", containerPort: args.port, protocol: "TCP" }],
          env: [{ name: VERSION_ENV, value: args.version }],
          ...envFromSecrets(args.envFromSecrets),
          readinessProbe: probe(2, 3),
          livenessProbe: probe(10, 6),
          resources: { requests: { ...args.resources.requests }, limits: { ...args.resources.limits } },
          securityContext: restrictedContainerSecurityContext,
        },
      ],
    },
  };
}

/** Production never takes a pod away before its replacement is ready. */
export function rollingUpdate(environment: Environment): k8s.types.input.apps.v1.RollingUpdateDeployment {
  return environment === "production" ? { maxSurge: "25%", maxUnavailable: 0 } : { maxSurge: "25%", maxUnavailable: "25%" };
}

export class Workload extends pulumi.ComponentResource {
  public readonly deployment: k8s.apps.v1.Deployment;
  /** Absent on one pod or none: a PDB on a single pod would block every node drain. */
  public readonly podDisruptionBudget: k8s.policy.v1.PodDisruptionBudget | undefined;
  public readonly deploymentName: pulumi.Output<string>;
  public readonly version: pulumi.Output<string>;
  public readonly replicas: pulumi.Output<number>;

  constructor(name: string, args: WorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super("safe-deploy:k8s:Workload", name, {}, opts);
    const selector = selectorLabels(args.service, args.variant);
    const labels = podLabels({ service: args.service, version: args.version, environment: args.environment, variant: args.variant });

    this.deployment = new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: {
          name: args.deploymentName,
          namespace: args.namespace,
          labels,
          annotations: { ...PATCH_FORCE, ...awaitTimeout(args.progressDeadlineSeconds) },
        },
        spec: {
          replicas: args.replicas,
          selector: { matchLabels: selector },
          progressDeadlineSeconds: args.progressDeadlineSeconds,
          revisionHistoryLimit: args.revisionHistoryLimit,
          strategy: { type: "RollingUpdate", rollingUpdate: rollingUpdate(args.environment) },
          template: podTemplate(args),
        },
      },
      { parent: this, dependsOn: [...(args.runsAfter ?? [])] },
    );

    // A PDB on a single pod would block every node drain; only guard real redundancy.
    this.podDisruptionBudget =
      args.replicas > 1
        ? new k8s.policy.v1.PodDisruptionBudget(
            `${name}-pdb`,
            {
              // Unversioned labels: a release must not update the PDB.
              metadata: {
                name: names.podDisruptionBudget(args.deploymentName),
                namespace: args.namespace,
                labels: unversionedLabels({ service: args.service, environment: args.environment, variant: args.variant }),
              },
              spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
            },
            { parent: this },
          )
        : undefined;

    this.deploymentName = this.deployment.metadata.name;
    this.version = pulumi.output(args.version);
    this.replicas = pulumi.output(args.replicas);
    this.registerOutputs({ deploymentName: this.deploymentName, version: this.version, replicas: this.replicas });
  }
}
