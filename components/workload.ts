// One Deployment of one version with the pod template every strategy shares,
// and a PodDisruptionBudget when it runs more than one pod.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Environment, ResourcesConfig } from "../config/schema";
import { names, podLabels, selectorLabels } from "../lib/names";
import { awaitTimeout, PATCH_FORCE } from "../lib/pulumi-annotations";

export interface WorkloadArgs {
  readonly namespace: pulumi.Input<string>;
  readonly environment: Environment;
  /** The service this Deployment belongs to (`app` label, container name). */
  readonly service: string;
  /** Deployment name: the service's own for rolling and stable, `<service>-<slot>` or `<service>-canary` otherwise. */
  readonly deploymentName: string;
  /** `blue`/`green` or `stable`/`canary`: joins `app` in the selector. @default - none (rolling) */
  readonly variant?: string;
  /** Image repository; the version is its tag. */
  readonly image: string;
  readonly version: string;
  readonly replicas: number;
  readonly port: number;
  readonly healthPath: string;
  readonly resources: ResourcesConfig;
  readonly progressDeadlineSeconds: number;
  readonly revisionHistoryLimit: number;
  /** @default [] */
  readonly envFromSecrets?: readonly string[];
  /** Resources that must be done before this version runs (its migration Job). @default [] */
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
      labels: podLabels({ service: args.service, version: args.version, environment: args.environment, variant: args.variant }),
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
          env: [{ name: "SERVICE_VERSION", value: args.version }],
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
  public readonly podDisruptionBudget: k8s.policy.v1.PodDisruptionBudget | undefined;
  public readonly deploymentName: pulumi.Output<string>;

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
              metadata: { name: names.podDisruptionBudget(args.deploymentName), namespace: args.namespace, labels },
              spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
            },
            { parent: this },
          )
        : undefined;

    this.deploymentName = this.deployment.metadata.name;
    this.registerOutputs({ deploymentName: this.deploymentName });
  }
}
