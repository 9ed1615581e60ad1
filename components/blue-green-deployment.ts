// Blue-green: two slots, each a Deployment of its own version behind its own
// Service (so the idle slot can be tested before it takes traffic), and the
// live Service whose selector a ServiceSelectorSwitch moves only once the
// slot it switches to is ready and, with checks configured, has passed its
// smoke test; verify then checks the live Service. The standby slot keeps its
// pods until config retires it: it is the rollback.
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { BlueGreenServiceConfig } from "../config/schema";
import { names, otherSlot, selectorLabels, unversionedLabels, type SlotName } from "../lib/names";
import { slotReplicas } from "../lib/replicas";
import { liveSlotVersion, slotVersion } from "../lib/versions";
import type * as command from "@pulumi/command";
import { checkContext, notifySteps, smokeStep, verifyStep } from "./check-steps";
import { newHttpService } from "./http-service";
import { newServiceMigration, runsAfterMigration, type ServiceMigration } from "./service-migration";
import { ServiceSelectorSwitch } from "./service-selector-switch";
import { workloadArgs, type StrategyArgs } from "./strategy-args";
import { Workload } from "./workload";

export type BlueGreenDeploymentArgs = StrategyArgs<BlueGreenServiceConfig>;

export interface Slot {
  readonly workload: Workload;
  /** The slot's own Service (`<service>-<slot>`), for testing it whether or not it is live. */
  readonly service: k8s.core.v1.Service;
}

export class BlueGreenDeployment extends pulumi.ComponentResource {
  /** The deployed slots; a slot without a version is absent. */
  public readonly slots: Partial<Record<SlotName, Slot>>;
  public readonly switch: ServiceSelectorSwitch;
  public readonly migration: ServiceMigration | undefined;
  /** The smoke test of the slot traffic switches to (the switch waits for it); absent without checks. */
  public readonly smoke: command.local.Command | undefined;
  /** Verification of the live Service after the switch; absent without checks. */
  public readonly verify: command.local.Command | undefined;
  public readonly liveSlot: pulumi.Output<SlotName>;
  public readonly liveServiceName: pulumi.Output<string>;
  /** The Service in front of the idle slot, for testing it before it takes traffic; undefined when there is no idle slot. */
  public readonly previewServiceName: pulumi.Output<string | undefined>;

  constructor(name: string, args: BlueGreenDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("safe-deploy:k8s:BlueGreenDeployment", name, {}, opts);
    const { spec } = args;
    this.migration = newServiceMigration(name, spec, args, this);
    const standby = otherSlot(spec.liveSlot);

    const slots: Partial<Record<SlotName, Slot>> = {};
    for (const slot of ["blue", "green"] as const) {
      const version = slotVersion(spec, slot);
      if (version === undefined) continue;
      const replicas = slotReplicas(spec, slot);
      const workload = new Workload(
        `${name}-${slot}`,
        workloadArgs(args, {
          deploymentName: names.slotDeployment(spec.name, slot),
          variant: slot,
          version,
          replicas,
          runsAfter: runsAfterMigration(this.migration, version),
        }),
        { parent: this },
      );
      const service = newHttpService(
        `${name}-${slot}-service`,
        {
          namespace: args.namespace,
          name: names.slotService(spec.name, slot),
          selector: selectorLabels(spec.name, slot),
          labels: unversionedLabels({ service: spec.name, environment: args.environment, variant: slot }),
          hasPods: replicas > 0,
        },
        // After the slot's pods exist: a Service is awaited until it has endpoints.
        { parent: this, dependsOn: [workload.deployment] },
      );
      slots[slot] = { workload, service };
    }
    this.slots = slots;

    const live = slots[spec.liveSlot];
    if (live === undefined) {
      // The schema refuses this config; reaching here is a bug in the caller.
      throw new pulumi.ResourceError(`BlueGreenDeployment '${name}': the live slot '${spec.liveSlot}' has no version`, this);
    }
    const checks = checkContext(args, this);
    const liveVersion = liveSlotVersion(spec);
    const target = { what: `slot ${spec.liveSlot}`, version: liveVersion };
    const slotUrl = args.checks?.config.urls[spec.liveSlot] ?? "";
    // The slot is smoke-tested through its own Service, after the migration its version needs.
    this.smoke =
      checks === undefined
        ? undefined
        : smokeStep(`${name}-smoke`, checks, { ...target, url: slotUrl }, [live.workload.deployment, live.service, ...runsAfterMigration(this.migration, liveVersion)]);
    this.switch = new ServiceSelectorSwitch(
      `${name}-switch`,
      {
        namespace: args.namespace,
        serviceName: names.service(spec.name),
        labels: unversionedLabels({ service: spec.name, environment: args.environment }),
        selector: selectorLabels(spec.name, spec.liveSlot),
        readyBeforeSwitch: [live.workload.deployment, ...(this.smoke === undefined ? [] : [this.smoke])],
        // With checks, the verify step below depends on the switch and proves the live
        // Service's EndpointSlices point only at the new slot's pods: the provider's own
        // settle wait would prove the same thing ~10 s later, so it is skipped.
        endpointsProvedLater: checks !== undefined,
      },
      { parent: this },
    );
    this.verify =
      checks === undefined
        ? undefined
        : verifyStep(
            `${name}-verify`,
            checks,
            { ...target, url: args.checks?.config.urls.live ?? slotUrl },
            { service: names.service(spec.name), namespace: args.namespace, expectPods: selectorLabels(spec.name, spec.liveSlot) },
            [this.switch],
          );
    if (checks !== undefined && this.verify !== undefined) notifySteps(name, checks, target, [this.verify]);
    this.liveSlot = pulumi.output(spec.liveSlot);
    this.liveServiceName = this.switch.serviceName;
    this.previewServiceName = pulumi.output(slots[standby] !== undefined ? names.slotService(spec.name, standby) : undefined);
    this.registerOutputs({ liveSlot: this.liveSlot, liveServiceName: this.liveServiceName, previewServiceName: this.previewServiceName });
  }
}
