// Where the time of a Pulumi-native rollback goes, from the command line's
// own steps and the engine's events as they arrive: the CLI's config
// set-all, the preview pass `pulumi up --yes` runs first (until its summary),
// then in the update pass the engine's start and the program until its first
// resource step,
// the steps themselves (Deployments are where readiness waits happen;
// Services wait for their endpoints to settle), and the finish (outputs,
// state written, engine exit).
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { CommandStep } from "../tools/rehearsal/command-line";

export const BREAKDOWN_PARTS = ["config set-all", "preview pass", "engine start + program", "Deployment steps", "Service steps", "other steps", "finish"] as const;
export type BreakdownPart = (typeof BREAKDOWN_PARTS)[number];
export type Breakdown = Record<BreakdownPart, number>;

/** Records when each engine event arrives (the events carry whole-second timestamps only). */
export class EventClock {
  readonly arrivals: { readonly at: number; readonly event: EngineEvent }[] = [];
  readonly onEvent = (event: EngineEvent): void => {
    this.arrivals.push({ at: performance.now(), event });
  };
}

/**
 * Splits a rollback line's time: `steps` are what runCommandLine returned for
 * a line started at `startedAt` (performance.now()), `clock` its engine events.
 * The shell parts (the config set-all) come before the `pulumi up` part.
 */
export function breakdown(steps: readonly CommandStep[], startedAt: number, clock: EventClock): Breakdown {
  const shellMs = steps.filter((s) => s.ranAs === "shell").reduce((sum, s) => sum + s.ms, 0);
  const upStartedAt = startedAt + shellMs;
  const up = steps.find((s) => s.ranAs === "pulumi-up");
  const upEnd = upStartedAt + (up?.ms ?? 0);
  // Each pass ends with a summary event: with a preview pass first, the update's events follow its summary.
  const summaries = clock.arrivals.filter((a) => a.event.summaryEvent !== undefined).map((a) => a.at);
  const previewEnd = up?.operation === "preview-then-up" ? summaries[0] : undefined;
  const updatePass = clock.arrivals.filter((a) => previewEnd === undefined || a.at > previewEnd);
  const started = new Map<string, number>();
  const byType: Record<"Deployment" | "Service" | "other", number> = { Deployment: 0, Service: 0, other: 0 };
  let firstStep: number | undefined;
  let lastStep: number | undefined;
  for (const { at, event } of updatePass) {
    const pre = event.resourcePreEvent?.metadata;
    if (pre !== undefined && pre.op !== "same") {
      started.set(pre.urn, at);
      firstStep ??= at;
    }
    const done = event.resOutputsEvent?.metadata;
    const from = done === undefined ? undefined : started.get(done.urn);
    if (done !== undefined && from !== undefined) {
      const kind = done.type.endsWith(":Deployment") ? "Deployment" : done.type.endsWith(":Service") ? "Service" : "other";
      byType[kind] += at - from;
      lastStep = at;
    }
  }
  const begin = firstStep ?? upEnd;
  const updateStart = previewEnd ?? upStartedAt;
  return {
    "config set-all": shellMs,
    "preview pass": updateStart - upStartedAt,
    "engine start + program": begin - updateStart,
    // Steps run in parallel where the dependency graph allows; these are the sums of each kind's step times.
    "Deployment steps": byType.Deployment,
    "Service steps": byType.Service,
    "other steps": byType.other,
    finish: upEnd - (lastStep ?? begin),
  };
}
