// Blue-green keeps the way back open: the update that moves traffic to the
// other slot must not also scale the old slot to zero. Until the new slot has
// proved itself under real traffic, switching back is a selector flip onto
// pods that are already running (Argo Rollouts keeps them for
// scaleDownDelaySeconds for the same reason); retiring the standby is a later
// update of its own.
import type { StackValidationPolicy } from "@pulumi/policy";
import { replicas } from "../lib/kubernetes";
import { blueGreenRollouts, otherSlot } from "../lib/rollouts";
import { StackIndex } from "../lib/stack-index";
import { previousLive, previousRecord } from "../lib/stack-record";

export const disallowStandbyRetiredOnSwitch: StackValidationPolicy = {
  name: "disallow-standby-retired-on-switch",
  description:
    "A blue-green update that switches traffic to the other slot must not scale the previously live slot to 0 in the same update: it is the way back. " +
    "Fix: switch first (in safe-deploy: liveSlot, with retireStandby: false), verify, then retire the standby in a later update (retireStandby: true).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const retired = blueGreenRollouts(new StackIndex(args)).filter((rollout) => {
      const standby = rollout.slots[otherSlot(rollout.liveSlot)];
      return standby !== undefined && replicas(standby.props) === 0;
    });
    if (retired.length === 0) return;
    const record = previousRecord(args);
    if (!record.known) args.notApplicable(`${record.reason}, so which slot was live before its release is not known`);
    for (const rollout of retired) {
      const live = previousLive(record, rollout.app);
      if (live?.strategy !== "blue-green" || live.slot === rollout.liveSlot) continue;
      const before = live.slot;
      const standby = otherSlot(rollout.liveSlot);
      report(
        `${rollout.liveService.label} switches traffic from slot ${before} to ${rollout.liveSlot} in this update, and the same update scales ${rollout.slots[standby]?.label ?? standby} to 0: ` +
          `if ${rollout.liveSlot} misbehaves there are no ${standby} pods to switch back to. ` +
          `Switch with the standby kept (in safe-deploy: services.${rollout.app}.retireStandby: false), then retire it in a later update.`,
        rollout.liveService.resource.urn,
      );
    }
  },
};
