// A database migration as a Kubernetes Job, one per version, awaited before the
// Deployment that runs the version needing it.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Environment, ResourcesConfig } from "../config/schema";
import { names, recommendedLabels, VERSION_ENV } from "../lib/names";
import { envFromSecrets, restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./workload";

export interface MigrationJobArgs {
  /** The namespace of the Job. */
  readonly namespace: pulumi.Input<string>;
  /** Goes into the recommended labels. */
  readonly environment: Environment;
  /** The service the migration belongs to (recommended labels only: no `app`, so no Service selects it). */
  readonly service: string;
  /** Job name prefix; the Job is `<prefix>-<version>`. */
  readonly prefix: string;
  /** The version whose code needs this migration. */
  readonly version: string;
  /** Image repository; the version is its tag. */
  readonly image: string;
  /** The migration command and its arguments. */
  readonly command: readonly string[];
  /** expand (backward compatible) or contract. */
  readonly kind: "expand" | "contract";
  /** Pod retries before the Job fails. */
  readonly backoffLimit: number;
  /** Seconds before a running migration is stopped and failed. */
  readonly activeDeadlineSeconds: number;
  /** Requests and limits of the migration container. */
  readonly resources: ResourcesConfig;
  /** @default [] */
  readonly envFromSecrets?: readonly string[];
  /** Extra pod labels, e.g. for tests that make a migration fail. @default {} */
  readonly podLabels?: Record<string, string>;
}

export class MigrationJob extends pulumi.ComponentResource {
  public readonly job: k8s.batch.v1.Job;
  public readonly jobName: pulumi.Output<string>;

  constructor(name: string, args: MigrationJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("safe-deploy:k8s:MigrationJob", name, {}, opts);
    const jobName = names.migrationJob(args.prefix, args.version);
    // No `app` label: Services and PodDisruptionBudgets of the service must not select migration pods.
    const labels = {
      ...recommendedLabels({ service: args.service, version: args.version, environment: args.environment, component: "migration" }),
      "safe-deploy.dev/migration-kind": args.kind,
    };
    // No ttlSecondsAfterFinished: a Job that deletes itself drifts from the stack and runs again on the next update.
    this.job = new k8s.batch.v1.Job(
      `${name}-job`,
      {
        metadata: { name: jobName, namespace: args.namespace, labels },
        spec: {
          backoffLimit: args.backoffLimit,
          activeDeadlineSeconds: args.activeDeadlineSeconds,
          template: {
            metadata: { labels: { ...labels, ...(args.podLabels ?? {}) } },
            spec: {
              restartPolicy: "Never",
              automountServiceAccountToken: false,
              securityContext: restrictedPodSecurityContext,
              containers: [
                {
                  name: "migrate",
                  image: `${args.image}:${args.version}`,
                  command: [...args.command],
                  env: [{ name: VERSION_ENV, value: args.version }],
                  ...envFromSecrets(args.envFromSecrets),
                  resources: { requests: { ...args.resources.requests }, limits: { ...args.resources.limits } },
                  securityContext: restrictedContainerSecurityContext,
                },
              ],
            },
          },
        },
      },
      // A Job's template is immutable and its name is fixed: a change must delete it before creating the new one.
      { parent: this, deleteBeforeReplace: true },
    );
    this.jobName = this.job.metadata.name;
    this.registerOutputs({ jobName: this.jobName });
  }
}
