// Canary: a stable and a canary track behind one Service, traffic split by
// replica ratio with the total kept constant; with an HTTPRoute configured,
// exact weights on the Gateway API as well. Weight 0 aborts (no canary pods);
// promotion is config: stable takes the canary version.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { CanaryServiceConfig, HttpRouteConfig } from "../config/schema";
import { names, routingLabels, selectorLabels, type Track } from "../lib/names";
import { PATCH_FORCE } from "../lib/pulumi-annotations";
import { splitReplicas } from "../lib/replica-split";
import { newHttpService, SERVICE_PORT } from "./http-service";
import { newServiceMigration, runsAfterMigration, type ServiceMigration } from "./service-migration";
import { workloadArgs, type StrategyArgs } from "./strategy-args";
import { Workload } from "./workload";

export type CanaryDeploymentArgs = StrategyArgs<CanaryServiceConfig>;

export const HTTP_ROUTE_API_VERSION = "gateway.networking.k8s.io/v1";

export class CanaryDeployment extends pulumi.ComponentResource {
  public readonly stable: Workload;
  /** Absent when no canary version is configured (after a promotion). */
  public readonly canary: Workload | undefined;
  public readonly service: k8s.core.v1.Service;
  public readonly httpRoute: k8s.apiextensions.CustomResource | undefined;
  public readonly migration: ServiceMigration | undefined;

  constructor(name: string, args: CanaryDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("safe-deploy:k8s:CanaryDeployment", name, {}, opts);
    const { spec } = args;
    const split = splitReplicas(spec.replicas, spec.canaryWeight);
    this.migration = newServiceMigration(name, spec, args, this);

    const track = (which: Track, version: string, replicas: number) =>
      new Workload(
        `${name}-${which}`,
        workloadArgs(args, {
          deploymentName: names.trackDeployment(spec.name, which),
          variant: which,
          version,
          replicas,
          runsAfter: runsAfterMigration(this.migration, version),
        }),
        { parent: this },
      );
    this.stable = track("stable", spec.stableVersion, split.stable);
    this.canary = spec.canaryVersion === undefined ? undefined : track("canary", spec.canaryVersion, split.canary);

    this.service = newHttpService(
      `${name}-service`,
      {
        namespace: args.namespace,
        name: names.service(spec.name),
        selector: selectorLabels(spec.name),
        labels: routingLabels({ service: spec.name, environment: args.environment }),
      },
      // After the pods it selects exist: a Service is awaited until it has endpoints.
      { parent: this, dependsOn: this.deployments() },
    );

    this.httpRoute =
      spec.httpRoute === undefined ? undefined : this.exactWeights(name, args, spec.httpRoute, split);
    this.registerOutputs({ serviceName: this.service.metadata.name, stableReplicas: split.stable, canaryReplicas: split.canary });
  }

  private deployments(): pulumi.Resource[] {
    return [this.stable.deployment, ...(this.canary === undefined ? [] : [this.canary.deployment])];
  }

  /** A Service per track and an HTTPRoute that weighs them exactly. */
  private exactWeights(
    name: string,
    args: CanaryDeploymentArgs,
    route: HttpRouteConfig,
    split: { readonly stable: number; readonly canary: number },
  ): k8s.apiextensions.CustomResource {
    const { spec } = args;
    const trackServices: pulumi.Resource[] = [];
    for (const which of ["stable", "canary"] as const) {
      trackServices.push(
        newHttpService(
          `${name}-${which}-service`,
          {
            namespace: args.namespace,
            name: names.trackService(spec.name, which),
            selector: selectorLabels(spec.name, which),
            labels: routingLabels({ service: spec.name, environment: args.environment, variant: which }),
            hasPods: split[which] > 0,
          },
          { parent: this, dependsOn: this.deployments() },
        ),
      );
    }
    const backend = (which: Track, weight: number) => ({ name: names.trackService(spec.name, which), port: SERVICE_PORT, weight });
    return new k8s.apiextensions.CustomResource(
      `${name}-route`,
      {
        apiVersion: HTTP_ROUTE_API_VERSION,
        kind: "HTTPRoute",
        metadata: {
          name: names.httpRoute(spec.name),
          namespace: args.namespace,
          annotations: PATCH_FORCE,
          labels: routingLabels({ service: spec.name, environment: args.environment }),
        },
        spec: {
          parentRefs: [{ name: route.gatewayName, namespace: route.gatewayNamespace ?? args.namespaceName }],
          ...(route.hostnames.length > 0 ? { hostnames: route.hostnames } : {}),
          // Stable first, canary second: the quick rollback command patches these positions.
          rules: [{ backendRefs: [backend("stable", 100 - spec.canaryWeight), backend("canary", spec.canaryWeight)] }],
        },
      },
      // Traffic weights move only once both tracks' Deployments are ready.
      { parent: this, dependsOn: [...trackServices, ...this.deployments()] },
    );
  }
}
