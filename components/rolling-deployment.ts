// A rolling update: one Deployment replaced pod by pod, and its Service.
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { RollingServiceConfig } from "../config/schema";
import { names, selectorLabels, unversionedLabels } from "../lib/names";
import { newHttpService } from "./http-service";
import { newServiceMigration, runsAfterMigration, type ServiceMigration } from "./service-migration";
import { workloadArgs, type StrategyArgs } from "./strategy-args";
import { Workload } from "./workload";

export type RollingDeploymentArgs = StrategyArgs<RollingServiceConfig>;

export class RollingDeployment extends pulumi.ComponentResource {
  public readonly workload: Workload;
  public readonly service: k8s.core.v1.Service;
  public readonly migration: ServiceMigration | undefined;
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
    this.deploymentName = this.workload.deploymentName;
    this.serviceName = this.service.metadata.name;
    this.registerOutputs({ deploymentName: this.deploymentName, serviceName: this.serviceName });
  }
}
