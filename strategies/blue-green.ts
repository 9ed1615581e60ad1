// Blue-green: two slots, each a Deployment and a Service of its own; the live
// Service's selector switches to the new slot only once it proved healthy,
// and the standby slot is the rollback. Everything that is particular to
// blue-green lives here.
import { z } from "zod";
import { BlueGreenDeployment } from "../components/blue-green-deployment";
import { commonServiceFields, versionSchema } from "../config/fields";
import { names, otherSlot, selectorLabels, type SlotName } from "../lib/names";
import { slotReplicas } from "../lib/replicas";
import { configSetAll, pulumiUp, quote } from "../lib/rollback";
import { liveSlotVersion, slotVersion } from "../lib/versions";
import type { Strategy } from "./strategy";

export const slotSchema = z.enum(["blue", "green"], { message: "must be 'blue' or 'green'" });

export const blueGreenServiceSchema = z.strictObject({
  ...commonServiceFields,
  strategy: z.literal("blue-green"),
  /** Version of the blue slot; absent: the slot is not deployed. */
  blueVersion: versionSchema.optional(),
  /** Version of the green slot; absent: the slot is not deployed. */
  greenVersion: versionSchema.optional(),
  /** The slot the live Service sends traffic to. */
  liveSlot: slotSchema,
  /** Scale the standby slot to 0. Leave false until the new slot has proved itself: the standby is the rollback. @default false */
  retireStandby: z.boolean().default(false),
});

export type BlueGreenServiceConfig = z.infer<typeof blueGreenServiceSchema> & { readonly name: string };

export const blueGreenLiveSchema = z.object({
  strategy: z.literal("blue-green"),
  slot: slotSchema,
  version: z.string(),
  replicas: z.number(),
  standby: z.object({ slot: slotSchema, version: z.string().nullable(), replicas: z.number() }),
});
export type BlueGreenLive = z.infer<typeof blueGreenLiveSchema>;

const SLOTS: readonly SlotName[] = ["blue", "green"];

/** Traffic back to the standby slot; a retired standby comes back first. */
function rollbackRestore(service: BlueGreenServiceConfig): Readonly<Record<string, string>> | undefined {
  const standby = otherSlot(service.liveSlot);
  if (slotVersion(service, standby) === undefined) return undefined;
  const restore: Record<string, string> = { liveSlot: standby };
  if (service.retireStandby) restore["retireStandby"] = "false";
  return restore;
}

export const blueGreen = {
  name: "blue-green",
  schema: blueGreenServiceSchema,
  liveSchema: blueGreenLiveSchema,

  configIssues(service) {
    const liveKey = service.liveSlot === "blue" ? "blueVersion" : "greenVersion";
    if (service[liveKey] !== undefined) return [];
    return [{ path: [liveKey], message: `must be set: liveSlot is '${service.liveSlot}', so that slot needs a version to serve traffic` }];
  },
  configWarnings: () => [],
  versionsDeployed: (service) => [...new Set([service.blueVersion, service.greenVersion].filter((v): v is string => v !== undefined))],
  ownedObjects: (service) =>
    SLOTS.flatMap((slot) => [
      { kind: "Deployment" as const, name: names.slotDeployment(service.name, slot) },
      { kind: "Service" as const, name: names.slotService(service.name, slot) },
    ]),
  guardedReplicas: (service) => SLOTS.map((slot) => ({ deployment: names.slotDeployment(service.name, slot), replicas: slotReplicas(service, slot) })),

  live(service) {
    const standby = otherSlot(service.liveSlot);
    return {
      strategy: "blue-green",
      slot: service.liveSlot,
      version: liveSlotVersion(service),
      replicas: slotReplicas(service, service.liveSlot),
      standby: { slot: standby, version: slotVersion(service, standby) ?? null, replicas: slotReplicas(service, standby) },
    };
  },
  liveVersions: (live) => [live.version],
  describeLive(live) {
    const standby = live.standby.version === null ? "no standby slot" : `standby ${live.standby.slot} ${live.standby.version} on ${live.standby.replicas} pods`;
    return `slot ${live.slot} ${live.version} on ${live.replicas} pods; ${standby}`;
  },
  releaseVersions: (service) => ({ version: liveSlotVersion(service), previousVersion: slotVersion(service, otherSlot(service.liveSlot)) ?? null }),

  rollbackRestore,
  rollbackPlan(service, ctx) {
    const standby = otherSlot(service.liveSlot);
    const standbyVersion = slotVersion(service, standby);
    const restore = rollbackRestore(service);
    if (standbyVersion === undefined || restore === undefined) return undefined;
    const ns = `-n ${ctx.namespace}`;
    const patch = `kubectl patch service ${names.service(service.name)} ${ns} -p ${quote({ spec: { selector: selectorLabels(service.name, standby) } })}`;
    const standbyDeployment = names.slotDeployment(service.name, standby);
    // A retired standby has no pods: bring it back and wait before moving traffic to it.
    const quick = service.retireStandby
      ? `kubectl scale deployment ${standbyDeployment} ${ns} --replicas=${service.replicas} && ` +
        `kubectl rollout status deployment/${standbyDeployment} ${ns} --timeout=${service.progressDeadlineSeconds}s && ${patch}`
      : patch;
    return {
      target: `slot ${standby} (${standbyVersion})`,
      quick,
      pulumi: [configSetAll(service.name, ctx, restore), pulumiUp(ctx)].join(" && "),
      verify:
        `kubectl get endpointslices ${ns} -l kubernetes.io/service-name=${names.service(service.name)} ` +
        `-o jsonpath='{.items[*].endpoints[*].targetRef.name}'`,
      expect: `only pods named ${standbyDeployment}-*`,
    };
  },

  releaseSteps(service, version) {
    if (liveSlotVersion(service) === version) return [];
    // One update: the migration, the idle slot's rollout and smoke test, then the switch; the old slot stays as the standby.
    const idle = otherSlot(service.liveSlot);
    return [
      {
        what: `put ${version} on the idle slot ${idle} and switch traffic to it, keeping ${service.liveSlot} (${liveSlotVersion(service)}) as the standby`,
        set: { [`${idle}Version`]: version, liveSlot: idle, retireStandby: false },
      },
    ];
  },

  // A version taken back may be released again: its rollout and checks judge it afresh before it counts as served.
  releaseRefusal: () => undefined,
  takenBackKeys: () => ({}),
  heldCanary: () => ({ nothing: "a blue-green service has no canary to promote or abort: safe-deploy rollback takes a release back" }),

  retireStep(service) {
    const standby = otherSlot(service.liveSlot);
    if (service.retireStandby) return { nothing: `its standby slot ${standby} is retired already (retireStandby is true)` };
    const version = slotVersion(service, standby);
    return { step: { what: `scale the standby slot ${standby}${version === undefined ? "" : ` (${version})`} down to 0`, set: { retireStandby: true } } };
  },

  checkUrlNeeded: (service) => ({ target: service.liveSlot, why: `the smoke test reaches the '${service.liveSlot}' slot there before traffic switches to it` }),
  checkTarget(service) {
    const version = liveSlotVersion(service);
    return { target: `${service.liveSlot} ${version}`, version };
  },
  trafficVersions: (service) => [liveSlotVersion(service)],

  staging: {
    serves: (live) => ({ versions: [live.version], words: `${live.version} (live slot ${live.slot})` }),
    fix: (service, version, _stack, up) =>
      `put ${version} on staging's idle slot of ${service} and make it live (services.${service}.blueVersion/greenVersion and liveSlot), then ${up}`,
  },

  declare(spec, context) {
    const component = new BlueGreenDeployment(spec.name, { ...context, spec });
    return { deployments: Object.values(component.slots).map((slot) => slot.workload.deployment), migration: component.migration };
  },
} satisfies Strategy<BlueGreenServiceConfig, BlueGreenLive>;
