// A canary takes traffic a step at a time: its first step is small (at most
// maxFirstStep percent), and each later step goes no further than the next
// configured step, so a bad version meets a bounded share of users before
// anyone has looked at it. Going back (a smaller share, or 0 to abort) is
// always allowed. The share judged is the one the objects produce: HTTPRoute
// weights where a route weighs the tracks, else the replica ratio.
import type { StackValidationPolicy } from "@pulumi/policy";
import { canaryRollouts } from "../lib/rollouts";
import { StackIndex } from "../lib/stack-index";
import { previousLive, previousRecord } from "../lib/stack-record";
import { configOf } from "../lib/validate";
import { UNKNOWN } from "../lib/values";

export interface CanaryStepsConfig {
  /** Traffic shares (percent) a canary moves through, ascending. @default [10, 25, 50, 100] */
  readonly steps: readonly number[];
  /** The largest share a canary may take when it first takes traffic. @default 25 */
  readonly maxFirstStep: number;
}

export const CANARY_STEPS_DEFAULTS: CanaryStepsConfig = { steps: [10, 25, 50, 100], maxFirstStep: 25 };

/** Shares within half a point of a step count as that step (the outputs round to one decimal). */
const TOLERANCE = 0.5;

function format(share: number): string {
  return `${Math.round(share * 10) / 10}%`;
}

/** The share a canary that had `previous` percent may move to at most. */
export function largestNextShare(previous: number, config: CanaryStepsConfig): number {
  if (previous <= 0) return config.maxFirstStep;
  const next = [...config.steps].sort((a, b) => a - b).find((step) => step > previous + TOLERANCE);
  return next ?? 100;
}

export const enforceCanarySteps: StackValidationPolicy = {
  name: "enforce-canary-steps",
  description:
    "A canary's first step takes at most maxFirstStep percent of traffic (default 25), and each later step goes no further than the next configured step (default 10, 25, 50, 100); a smaller share or an abort to 0 is always allowed. " +
    "Fix: move the canary one step at a time (in safe-deploy: services.<name>.canaryWeight), and give it enough replicas or an HTTPRoute so the share matches the step.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      steps: {
        type: "array",
        items: { type: "integer", minimum: 1, maximum: 100 },
        minItems: 1,
        uniqueItems: true,
        default: [...CANARY_STEPS_DEFAULTS.steps],
        description: "Traffic shares (percent) a canary moves through.",
      },
      maxFirstStep: {
        type: "integer",
        minimum: 1,
        maximum: 100,
        default: CANARY_STEPS_DEFAULTS.maxFirstStep,
        description: "The largest share (percent) a canary may take when it first takes traffic.",
      },
    },
  },
  validateStack: (args, report) => {
    const config = configOf(args, CANARY_STEPS_DEFAULTS);
    const moving = canaryRollouts(new StackIndex(args)).filter((rollout) => rollout.share !== UNKNOWN && rollout.share > TOLERANCE);
    if (moving.length === 0) return;
    const record = previousRecord(args);
    if (!record.known) args.notApplicable(`${record.reason}, so the share each canary had before its release is not known`);
    for (const rollout of moving) {
      const share = rollout.share as number;
      const live = previousLive(record, rollout.app);
      const previous = live?.strategy === "canary" && live.canary.version === rollout.canaryVersion ? live.canary.weight : 0;
      if (share <= previous + TOLERANCE) continue;
      const limit = largestNextShare(previous, config);
      if (share <= limit + TOLERANCE) continue;
      const by = rollout.by === "route" ? "the HTTPRoute's weights" : "the replica ratio";
      const what =
        previous <= 0
          ? `takes ${format(share)} of the traffic (by ${by}) as its first step; a first step takes at most ${format(config.maxFirstStep)}`
          : `moves from ${format(previous)} to ${format(share)} of the traffic (by ${by}), past the next step, ${format(limit)}`;
      report(
        `${rollout.canary.label} ${what}, so a bad version would meet more users than the rollout plan allows before anyone has looked at it. ` +
          `Step to at most ${format(limit)} (in safe-deploy: services.${rollout.app}.canaryWeight), or abort with 0.`,
        rollout.canary.resource.urn,
      );
    }
  },
};
