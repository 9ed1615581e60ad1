// Canary: a stable and a canary track behind one Service, traffic split by
// replica ratio with the total kept constant; with an HTTPRoute configured,
// exact weights on the Gateway API as well. Weight 0 aborts (no canary pods);
// promotion is config: stable takes the canary version. With checks
// configured, the canary track is smoke-tested before its weight moves: the
// HTTPRoute's weights, and in production the stable track's shrinking, wait
// for the smoke test.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { CanaryServiceConfig, HttpRouteConfig } from "../config/schema";
import { resizeOrder } from "../lib/canary-steps";
import { routeBackends } from "../lib/http-route";
import { names, selectorLabels, unversionedLabels, type Track } from "../lib/names";
import type { ReplicaSplit } from "../lib/replica-split";
import { canaryTrackReplicas } from "../lib/replicas";
import { canaryTraffic } from "../lib/traffic";
import type * as command from "@pulumi/command";
import { checkContext, notifySteps, smokeStep } from "./check-steps";
import { newHttpService } from "./http-service";
import { newServiceMigration, runsAfterMigration, type ServiceMigration } from "./service-migration";
import { workloadArgs, type StrategyArgs } from "./strategy-args";
import { Workload } from "./workload";

export interface CanaryDeploymentArgs extends StrategyArgs<CanaryServiceConfig> {
  /**
   * Canary pods before this update, from the stack's last outputs. In
   * production it decides which track resizes first, so that the growing one
   * is ready before the shrinking one shrinks.
   * @default - unknown: taken as none
   */
  readonly previousCanaryReplicas?: number;
}

export const HTTP_ROUTE_API_VERSION = "gateway.networking.k8s.io/v1";

export class CanaryDeployment extends pulumi.ComponentResource {
  public readonly stable: Workload;
  /** Absent when no canary version is configured (after a promotion). */
  public readonly canary: Workload | undefined;
  public readonly service: k8s.core.v1.Service;
  public readonly httpRoute: k8s.apiextensions.CustomResource | undefined;
  public readonly migration: ServiceMigration | undefined;
  /** The canary track's smoke test; absent without checks or without canary pods. */
  public readonly smoke: command.local.Command | undefined;
  public readonly serviceName: pulumi.Output<string>;
  public readonly stableReplicas: pulumi.Output<number>;
  public readonly canaryReplicas: pulumi.Output<number>;
  /** The share of requests the canary really gets (percent): exact with an HTTPRoute, the replica ratio without. */
  public readonly canaryTrafficPercent: pulumi.Output<number>;

  constructor(name: string, args: CanaryDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("safe-deploy:k8s:CanaryDeployment", name, {}, opts);
    const { spec } = args;
    const split = canaryTrackReplicas(spec);
    const traffic = canaryTraffic(spec);
    this.migration = newServiceMigration(name, spec, args, this);

    const track = (which: Track, version: string, replicas: number, after: readonly pulumi.Resource[]) =>
      new Workload(
        `${name}-${which}`,
        workloadArgs(args, {
          deploymentName: names.trackDeployment(spec.name, which),
          variant: which,
          version,
          replicas,
          runsAfter: [...runsAfterMigration(this.migration, version), ...after],
        }),
        { parent: this },
      );
    // Staging may lose capacity during a step (maxUnavailable 25%); production grows before it shrinks.
    const order = args.environment === "production" ? resizeOrder(args.previousCanaryReplicas, split.canary) : "together";
    const canaryVersion = spec.canaryVersion;
    const checks = checkContext(args, this);
    const target = { what: "canary track", version: canaryVersion ?? "" };
    // Health, version and critical requests of the canary's own pods, after the migration its version needs.
    const smoke = (canary: Workload) =>
      checks === undefined || split.canary === 0
        ? undefined
        : smokeStep(`${name}-canary-smoke`, checks, { ...target, url: args.checks?.config.urls.canary ?? "" }, [canary.deployment, ...runsAfterMigration(this.migration, target.version)]);
    if (canaryVersion !== undefined && order === "canary-first") {
      this.canary = track("canary", canaryVersion, split.canary, []);
      this.smoke = smoke(this.canary);
      this.stable = track("stable", spec.stableVersion, split.stable, [this.canary.deployment, ...(this.smoke === undefined ? [] : [this.smoke])]);
    } else {
      this.stable = track("stable", spec.stableVersion, split.stable, []);
      const after = order === "stable-first" ? [this.stable.deployment] : [];
      this.canary = canaryVersion === undefined ? undefined : track("canary", canaryVersion, split.canary, after);
      this.smoke = this.canary === undefined ? undefined : smoke(this.canary);
    }
    if (checks !== undefined && this.smoke !== undefined) notifySteps(name, checks, target, [this.smoke]);

    this.service = newHttpService(
      `${name}-service`,
      {
        namespace: args.namespace,
        name: names.service(spec.name),
        selector: selectorLabels(spec.name),
        labels: unversionedLabels({ service: spec.name, environment: args.environment }),
      },
      // After the pods it selects exist: a Service is awaited until it has endpoints.
      { parent: this, dependsOn: this.deployments() },
    );

    this.httpRoute = spec.httpRoute === undefined ? undefined : this.exactWeights(name, args, spec.httpRoute, split, traffic.canaryPercent);
    this.serviceName = this.service.metadata.name;
    this.stableReplicas = pulumi.output(split.stable);
    this.canaryReplicas = pulumi.output(split.canary);
    this.canaryTrafficPercent = pulumi.output(traffic.canaryPercent);
    this.registerOutputs({
      serviceName: this.serviceName,
      stableReplicas: this.stableReplicas,
      canaryReplicas: this.canaryReplicas,
      canaryTrafficPercent: this.canaryTrafficPercent,
    });
  }

  private deployments(): pulumi.Resource[] {
    return [this.stable.deployment, ...(this.canary === undefined ? [] : [this.canary.deployment])];
  }

  /** A Service per track and an HTTPRoute that weighs them exactly. */
  private exactWeights(
    name: string,
    args: CanaryDeploymentArgs,
    route: HttpRouteConfig,
    split: ReplicaSplit,
    canaryWeight: number,
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
            labels: unversionedLabels({ service: spec.name, environment: args.environment, variant: which }),
            hasPods: split[which] > 0,
          },
          { parent: this, dependsOn: this.deployments() },
        ),
      );
    }
    return new k8s.apiextensions.CustomResource(
      `${name}-route`,
      {
        apiVersion: HTTP_ROUTE_API_VERSION,
        kind: "HTTPRoute",
        metadata: {
          name: names.httpRoute(spec.name),
          namespace: args.namespace,
          labels: unversionedLabels({ service: spec.name, environment: args.environment }),
        },
        spec: {
          parentRefs: [{ name: route.gatewayName, namespace: route.gatewayNamespace ?? args.namespace }],
          ...(route.hostnames.length > 0 ? { hostnames: route.hostnames } : {}),
          // The order the quick rollback's patch tests and relies on (lib/http-route.ts).
          rules: [{ backendRefs: routeBackends(spec.name, canaryWeight) }],
        },
      },
      // Traffic weights move only once both tracks' Deployments are ready and the canary passed its smoke test.
      { parent: this, dependsOn: [...trackServices, ...this.deployments(), ...(this.smoke === undefined ? [] : [this.smoke])] },
    );
  }
}
