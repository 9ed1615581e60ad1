// A rolling update: one Deployment replaced pod by pod, and its Service;
// with checks configured, verified once the rollout is done.
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { RollingServiceConfig } from "../config/schema";
import type * as command from "@pulumi/command";
import { names, selectorLabels, unversionedLabels, VERSION_LABEL } from "../lib/names";
import { checkContext, notifySteps, verifyStep } from "./check-steps";
import { newHttpService } from "./http-service";
import { newServiceMigration, runsAfterMigration, type ServiceMigration } from "./service-migration";
import { workloadArgs, type StrategyArgs } from "./strategy-args";
import { Workload } from "./workload";

export type RollingDeploymentArgs = StrategyArgs<RollingServiceConfig>;

export class RollingDeployment extends pulumi.ComponentResource {
  public readonly workload: Workload;
  public readonly service: k8s.core.v1.Service;
  public readonly migration: ServiceMigration | undefined;
  /** Verification after the rollout; absent without checks. */
  public readonly verify: command.local.Command | undefined;
  public readonly deploymentName: pulumi.Output<string>;
  public readonly serviceName: pulumi.Output<string>;

  constructor(name: string, args: RollingDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("safe-deploy:k8s:RollingDeployment", name, {}, opts);
    const { spec } = args;
    this.migration = newServiceMigration(name, spec, args, this);
    this.workload = new Workload(
      `${name}-workload`,
      workloadArgs(args, {
        deploymentName: names.service(spec.name),
        version: spec.version,
        replicas: spec.replicas,
        runsAfter: runsAfterMigration(this.migration, spec.version),
      }),
      { parent: this },
    );
    this.service = newHttpService(
      `${name}-service`,
      {
        namespace: args.namespace,
        name: names.service(spec.name),
        selector: selectorLabels(spec.name),
        labels: unversionedLabels({ service: spec.name, environment: args.environment }),
      },
      // After the pods it selects exist: a Service is awaited until it has endpoints.
      { parent: this, dependsOn: [this.workload.deployment] },
    );
    const checks = checkContext(args, this);
    const target = { what: "rollout", version: spec.version };
    this.verify =
      checks === undefined
        ? undefined
        : verifyStep(
            `${name}-verify`,
            checks,
            { ...target, url: args.checks?.config.urls.live ?? "" },
            // Every ready endpoint is a pod of the new version: the old ones are gone from the Service.
            { service: names.service(spec.name), namespace: args.namespace, expectPods: { ...selectorLabels(spec.name), [VERSION_LABEL]: spec.version } },
            [this.workload.deployment, this.service],
          );
    if (checks !== undefined && this.verify !== undefined) notifySteps(name, checks, target, [this.verify]);
    this.deploymentName = this.workload.deploymentName;
    this.serviceName = this.service.metadata.name;
    this.registerOutputs({ deploymentName: this.deploymentName, serviceName: this.serviceName });
  }
}
