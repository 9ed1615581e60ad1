// Rolling: one Deployment replaced pod by pod; `previousVersion` is the
// rollback target. Everything that is particular to rolling lives here.
import { z } from "zod";
import { RollingDeployment } from "../components/rolling-deployment";
import { commonServiceFields, versionSchema } from "../config/fields";
import { names, VERSION_ENV, VERSION_LABEL } from "../lib/names";
import { configSetAll, pulumiUp, quote } from "../lib/rollback";
import type { Strategy } from "./strategy";

export const rollingServiceSchema = z.strictObject({
  ...commonServiceFields,
  strategy: z.literal("rolling"),
  /** The version that runs. */
  version: versionSchema,
  /** The version that ran before: the rollback target. @default - none, no rollback command */
  previousVersion: versionSchema.optional(),
});

export type RollingServiceConfig = z.infer<typeof rollingServiceSchema> & { readonly name: string };

export const rollingLiveSchema = z.object({ strategy: z.literal("rolling"), version: z.string(), replicas: z.number() });
export type RollingLive = z.infer<typeof rollingLiveSchema>;

/** Back to `previousVersion`, which becomes the version it replaced. */
function rollbackRestore(service: RollingServiceConfig): Readonly<Record<string, string>> | undefined {
  return service.previousVersion === undefined ? undefined : { version: service.previousVersion, previousVersion: service.version };
}

export const rolling = {
  name: "rolling",
  schema: rollingServiceSchema,
  liveSchema: rollingLiveSchema,

  configIssues(service) {
    if (service.previousVersion === undefined || service.previousVersion !== service.version) return [];
    return [{ path: ["previousVersion"], message: `must differ from version (both are '${service.version}')` }];
  },
  configWarnings: () => [],
  versionsDeployed: (service) => [service.version],
  ownedObjects: (service) => [{ kind: "Deployment", name: names.service(service.name) }],
  guardedReplicas: (service) => [{ deployment: names.service(service.name), replicas: service.replicas }],

  live: (service) => ({ strategy: "rolling", version: service.version, replicas: service.replicas }),
  liveVersions: (live) => [live.version],
  describeLive: (live) => `${live.version} on ${live.replicas} pods`,
  releaseVersions: (service) => ({ version: service.version, previousVersion: service.previousVersion ?? null }),

  rollbackRestore,
  rollbackPlan(service, ctx) {
    const restore = rollbackRestore(service);
    if (service.previousVersion === undefined || restore === undefined) return undefined;
    const deployment = names.service(service.name);
    const ns = `-n ${ctx.namespace}`;
    const target = service.previousVersion;
    // The pod template as the program writes it for the target version (image,
    // version label and SERVICE_VERSION), merged by container and env name: it
    // works whatever the Deployment's history, where `rollout undo` needs the
    // target to have run here before.
    const template = {
      spec: {
        template: {
          metadata: { labels: { [VERSION_LABEL]: target } },
          spec: { containers: [{ name: service.name, image: `${service.image}:${target}`, env: [{ name: VERSION_ENV, value: target }] }] },
        },
      },
    };
    return {
      target,
      quick: `kubectl patch deployment ${deployment} ${ns} --type=strategic -p ${quote(template)}`,
      pulumi: [configSetAll(service.name, ctx, restore), pulumiUp(ctx)].join(" && "),
      verify:
        `kubectl rollout status deployment/${deployment} ${ns} --timeout=${service.progressDeadlineSeconds}s && ` +
        `kubectl get deployment/${deployment} ${ns} -o jsonpath='{.spec.template.spec.containers[0].image}'`,
      expect: `${service.image}:${target}`,
    };
  },

  releaseSteps: (service, version) =>
    version === service.version
      ? []
      : [{ what: `roll out ${version}, keeping ${service.version} as the rollback target`, set: { version, previousVersion: service.version } }],

  // A version taken back may be released again: its rollout and checks judge it afresh before it counts as served.
  releaseRefusal: () => undefined,
  takenBackKeys: () => ({}),
  heldCanary: () => ({ nothing: "a rolling service has no canary to promote or abort: safe-deploy rollback takes a release back" }),

  retireStep: () => ({ nothing: "a rolling service keeps no standby: its previous version comes back by a rollout" }),

  checkUrlNeeded: () => ({ target: "live", why: "verify reaches the service there after the rollout" }),
  checkTarget: (service) => ({ target: service.version, version: service.version }),
  trafficVersions: (service) => [service.version],

  staging: {
    serves: (live) => ({ versions: [live.version], words: live.version }),
    fix: (service, version, stack, up) => `pulumi config set --path services.${service}.version ${version} --stack ${stack} && ${up}`,
  },

  declare(spec, context) {
    const component = new RollingDeployment(spec.name, { ...context, spec });
    return { deployments: [component.workload.deployment], migration: component.migration };
  },
} satisfies Strategy<RollingServiceConfig, RollingLive>;
