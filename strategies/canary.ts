// Canary: a stable track and a canary track of the same Service, traffic
// split by the replica ratio or exactly by an HTTPRoute; the runbook's
// emergency rollback scales the canary to 0. Everything that is particular to
// canaries lives here.
import { z } from "zod";
import { CanaryDeployment } from "../components/canary-deployment";
import { canaryAnalysisSchema, defaultCanaryAnalysis } from "../config/canary-analysis";
import { commonServiceFields, dnsLabelSchema, versionSchema } from "../config/fields";
import { routeWeightPatch } from "../lib/http-route";
import { names } from "../lib/names";
import { canaryTrackReplicas } from "../lib/replicas";
import { configSetAll, pulumiUp, quote } from "../lib/rollback";
import { canaryTraffic, closerShareAdvice, TRAFFIC_WARN_POINTS } from "../lib/traffic";
import type { ServiceConfig } from "./registry";
import type { ReleaseStep, Strategy } from "./strategy";

/** A hostname as the Gateway API takes it: lowercase DNS names, an optional leading `*.`, no IP addresses. */
const routeHostnameSchema = z
  .string()
  .max(253, { message: "must be at most 253 characters" })
  .regex(/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    message: "must be a lowercase DNS name such as shop.example.com or *.example.com",
  })
  .refine((host) => !/^[0-9.]+$/.test(host), { message: "must be a DNS name; the Gateway API refuses IP addresses" });

/** Gateway API HTTPRoute for exact canary weights. */
export const httpRouteSchema = z.strictObject({
  /** The Gateway the route attaches to. */
  gatewayName: dnsLabelSchema,
  /** @default the stack's namespace */
  gatewayNamespace: dnsLabelSchema.optional(),
  /** @default [] (all hostnames the Gateway serves) */
  hostnames: z.array(routeHostnameSchema).max(16, { message: "must list at most 16 hostnames, the Gateway API's bound" }).default([]),
});

export type HttpRouteConfig = z.infer<typeof httpRouteSchema>;

export const canaryServiceSchema = z.strictObject({
  ...commonServiceFields,
  strategy: z.literal("canary"),
  /** The version of the stable track. */
  stableVersion: versionSchema,
  /** Absent: no canary track (after a promotion). */
  canaryVersion: versionSchema.optional(),
  /** Percent of traffic (and of replicas) on the canary. 0 aborts the canary. @default 0 */
  canaryWeight: z
    .int({ error: (issue) => `must be a whole number of percent (got ${JSON.stringify(issue.input)})` })
    .min(0, { error: (issue) => `must be between 0 and 100 (got ${String(issue.input)})` })
    .max(100, { error: (issue) => `must be between 0 and 100 (got ${String(issue.input)})` })
    .default(0),
  /** Exact weights on a Gateway API HTTPRoute instead of replica ratio only. */
  httpRoute: httpRouteSchema.optional(),
  /** How `analyze` judges the canary against the stable (config/canary-analysis.ts). @default - every default there */
  analysis: canaryAnalysisSchema.optional(),
});

export type CanaryServiceConfig = z.infer<typeof canaryServiceSchema> & { readonly name: string };

/** `weight` is the share of traffic each track really gets (percent, one decimal). */
export const canaryLiveSchema = z.object({
  strategy: z.literal("canary"),
  stable: z.object({ version: z.string(), weight: z.number(), replicas: z.int().min(0) }),
  canary: z.object({ version: z.string().nullable(), weight: z.number(), requestedWeight: z.number(), replicas: z.int().min(0) }),
  /** True when an HTTPRoute sets the weights; false when traffic follows the replica ratio. */
  exactWeights: z.boolean(),
});
export type CanaryLive = z.infer<typeof canaryLiveSchema>;

const TRACKS = ["stable", "canary"] as const;

/** The canary's version while it takes traffic. */
export function canaryInTraffic(service: CanaryServiceConfig): string | undefined {
  return service.canaryVersion !== undefined && service.canaryWeight > 0 ? service.canaryVersion : undefined;
}

/** The canary out of traffic: weight 0, its pods scaled away. */
function rollbackRestore(service: CanaryServiceConfig): Readonly<Record<string, number>> | undefined {
  return canaryInTraffic(service) === undefined ? undefined : { canaryWeight: 0 };
}

/** The canary's version stays beside weight 0: the mark releaseRefusal reads. */
const takenBackKeys = (version: string) => ({ canaryVersion: version, canaryWeight: 0 });

/** The last step of a canary's release: the stable track runs the version, the canary track goes away. */
const promoteStep = (version: string): ReleaseStep => ({
  what: `promote ${version}: the stable track runs it, the canary track goes to 0`,
  set: { stableVersion: version, canaryWeight: 0 },
  remove: ["canaryVersion"],
});

export const canary = {
  name: "canary",
  schema: canaryServiceSchema,
  liveSchema: canaryLiveSchema,

  configIssues(service, environment) {
    const issues = [];
    if (service.canaryWeight > 0 && service.canaryVersion === undefined) {
      issues.push({ path: ["canaryVersion"], message: `must be set when canaryWeight is ${service.canaryWeight}` });
    }
    if (service.canaryWeight > 0 && service.canaryVersion === service.stableVersion) {
      issues.push({ path: ["canaryVersion"], message: `is the stable version (${service.stableVersion}): a canary of the version already serving proves nothing; set the version under test, or canaryWeight 0` });
    }
    if (service.canaryWeight > 0 && service.canaryWeight < 100 && service.replicas < 2) {
      issues.push({ path: ["replicas"], message: `must be at least 2 for a canary at ${service.canaryWeight}%: with 1 replica the canary would take all traffic` });
    }
    // Production refuses a step whose replica ratio would put more than twice the asked share on the canary.
    const traffic = canaryTraffic(service);
    if (environment === "production" && !traffic.exact && traffic.askedPercent > 0 && traffic.canaryPercent > 2 * traffic.askedPercent) {
      issues.push({
        path: ["canaryWeight"],
        message:
          `asks for ${traffic.askedPercent}% but ${canaryTrackReplicas(service).canary} of ${service.replicas} replicas would give the canary ${traffic.canaryPercent}% of the traffic; ` +
          `production refuses more than twice the asked share: ${closerShareAdvice(service, traffic.askedPercent)}`,
      });
    }
    return issues;
  },
  configWarnings(service) {
    const warnings = [];
    const traffic = canaryTraffic(service);
    // A canary whose replica ratio gives it a share far from the asked one says so (production refuses the worst cases up front).
    if (Math.abs(traffic.canaryPercent - traffic.askedPercent) > TRAFFIC_WARN_POINTS) {
      warnings.push({
        path: ["canaryWeight"],
        message:
          `asks for ${traffic.askedPercent}% but the replica ratio gives the canary ${traffic.canaryPercent}% of the traffic; ` +
          `to get closer: ${closerShareAdvice(service, TRAFFIC_WARN_POINTS)}`,
      });
    }
    // Without exact weights the canary's smoke test cannot keep it from traffic: its ready pods join the Service by the replica ratio.
    if (service.checks !== undefined && service.httpRoute === undefined && canaryInTraffic(service) !== undefined) {
      warnings.push({
        path: ["httpRoute"],
        message:
          "is not set, so the canary's pods take their replica share of the traffic as soon as they are ready, before its smoke test passes " +
          "(a failing smoke test still fails the update and keeps the stable track's pods); set httpRoute for a first step no user sees before the test passes",
      });
    }
    return warnings;
  },
  versionsDeployed: (service) => [...new Set([service.stableVersion, service.canaryVersion].filter((v): v is string => v !== undefined))],
  ownedObjects: (service) => [
    ...TRACKS.flatMap((track) => [
      { kind: "Deployment" as const, name: names.trackDeployment(service.name, track) },
      { kind: "Service" as const, name: names.trackService(service.name, track) },
    ]),
    { kind: "HTTPRoute" as const, name: names.httpRoute(service.name) },
  ],
  guardedReplicas: (service) => [{ deployment: names.trackDeployment(service.name, "stable"), replicas: canaryTrackReplicas(service).stable }],

  live(service) {
    const split = canaryTrackReplicas(service);
    const traffic = canaryTraffic(service);
    return {
      strategy: "canary",
      stable: { version: service.stableVersion, weight: traffic.stablePercent, replicas: split.stable },
      canary: { version: service.canaryVersion ?? null, weight: traffic.canaryPercent, requestedWeight: traffic.askedPercent, replicas: split.canary },
      exactWeights: traffic.exact,
    };
  },
  /** A canary only while it has pods. */
  liveVersions: (live) => [live.stable.version, ...(live.canary.version !== null && live.canary.replicas > 0 ? [live.canary.version] : [])],
  describeLive: (live) =>
    `stable ${live.stable.version} at ${live.stable.weight}% of traffic (${live.stable.replicas} pods)` +
    (live.canary.version === null
      ? "; no canary"
      : `; canary ${live.canary.version} at ${live.canary.weight}% (${live.canary.replicas} pods` +
        `${live.canary.weight === live.canary.requestedWeight ? "" : `; ${live.canary.requestedWeight}% asked`})`),
  /** The canary's version while it has traffic, else the stable's (nothing to go back to). */
  releaseVersions(service) {
    const version = canaryInTraffic(service);
    return version !== undefined ? { version, previousVersion: service.stableVersion } : { version: service.stableVersion, previousVersion: null };
  },

  rollbackRestore,
  rollbackPlan(service, ctx) {
    const restore = rollbackRestore(service);
    if (restore === undefined) return undefined;
    const ns = `-n ${ctx.namespace}`;
    const scale = `kubectl scale deployment ${names.trackDeployment(service.name, "canary")} ${ns} --replicas=0`;
    // With exact weights, take the canary out of the route first, so no request goes to a backend with no pods.
    const quick =
      service.httpRoute === undefined
        ? scale
        : `kubectl patch httproute ${names.httpRoute(service.name)} ${ns} --type=json -p ${quote(routeWeightPatch(service.name, 0))} && ${scale}`;
    return {
      target: `stable ${service.stableVersion} only (canary ${service.canaryVersion} at 0%)`,
      quick,
      pulumi: [configSetAll(service.name, ctx, restore), pulumiUp(ctx)].join(" && "),
      verify: `kubectl get pods ${ns} -l app=${service.name},version=canary -o name`,
      expect: "no pods",
    };
  },

  releaseSteps(service, version, plan) {
    if (service.stableVersion === version) return [];
    const analysis = service.analysis ?? defaultCanaryAnalysis();
    const share = (weight: number): ReleaseStep => ({ what: `${version} as the canary at ${weight}% of the traffic`, set: { canaryVersion: version, canaryWeight: weight }, analysis });
    // A canary of this version already in traffic (a release interrupted) goes on from its share: judged
    // there again before it grows. Another one starts over.
    const from = service.canaryVersion === version ? service.canaryWeight : 0;
    const steps: ReleaseStep[] = [
      ...(from > 0 && from < 100 ? [{ ...share(from), what: `go on with ${version} as the canary at ${from}% of the traffic, where the release had reached` }] : []),
      ...plan.canarySteps.filter((weight) => weight > from && weight < 100).map(share),
    ];
    steps.push(promoteStep(version));
    return steps;
  },
  releaseRefusal(service, version) {
    if (service.canaryVersion !== version || service.canaryWeight > 0 || service.stableVersion === version) return undefined;
    return (
      `the canary ${version} of ${service.name} was taken out of traffic (canaryWeight 0: its analysis failed, or it was aborted or rolled back), ` +
      `and a release of it again would put it back in front of users; release a fixed version, or say so with --again "why"`
    );
  },
  takenBackKeys,
  heldCanary(service) {
    const version = canaryInTraffic(service);
    if (version === undefined) return { nothing: `no canary of ${service.name} takes traffic (canaryWeight ${service.canaryWeight})` };
    return {
      version,
      promote: promoteStep(version),
      abort: { what: `abort the canary ${version}: out of traffic, the stable ${service.stableVersion} serves it all`, set: takenBackKeys(version) },
    };
  },

  retireStep: () => ({ nothing: "a canary service keeps no standby: its stable track serves throughout" }),

  checkUrlNeeded: (service) =>
    service.canaryVersion === undefined ? undefined : { target: "canary", why: "the smoke test reaches the canary track there before it gets traffic" },
  checkTarget(service) {
    const version = canaryInTraffic(service);
    return version === undefined ? undefined : { target: `canary ${version}`, version };
  },
  trafficVersions(service) {
    const version = canaryInTraffic(service);
    return [service.stableVersion, ...(version === undefined ? [] : [version])];
  },

  staging: {
    /** A canary at weight 0 serves nothing. */
    serves(live) {
      const inTraffic = live.canary.version !== null && live.canary.weight > 0 ? [live.canary.version] : [];
      const words = inTraffic.length > 0 ? `${live.stable.version} (stable) and ${live.canary.version} (canary, ${live.canary.weight}%)` : `${live.stable.version} (stable)`;
      return { versions: [live.stable.version, ...inTraffic], words };
    },
    fix: (service, version, _stack, up) =>
      `run ${version} as staging's canary of ${service} (services.${service}.canaryVersion and canaryWeight) or promote it, then ${up}`,
  },

  declare(spec, context, previous) {
    // In production the canary pods before this update decide which track resizes first.
    const component = new CanaryDeployment(spec.name, { ...context, spec, previousCanaryReplicas: previous?.canary.replicas });
    return { deployments: [component.stable, ...(component.canary === undefined ? [] : [component.canary])].map((w) => w.deployment), migration: component.migration };
  },
} satisfies Strategy<CanaryServiceConfig, CanaryLive>;

/** The service as a canary, or undefined when it chose another strategy (the canary analysis has nothing to judge there). */
export function asCanary(service: ServiceConfig): CanaryServiceConfig | undefined {
  return service.strategy === canary.name ? service : undefined;
}
