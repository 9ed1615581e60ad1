// A release's timeline, read back from the stack history: the updates
// `safe-deploy release`, `promote` and `abort` made for the service's latest
// release (their messages name the service and the version), each with when
// it ran, how long, its result, and the decision recorded with it: the
// canary analysis' pass of a share is in the next update's message, a fail
// in the take-back's. A canary share with no later update has no decision
// on record: the release is held, or still running.
import type { UpdateSummary } from "@pulumi/pulumi/automation";
import { numberedUpdates } from "../cli/history";
import { parseUpdateMessage } from "../lib/update-messages";

type Entry = Pick<UpdateSummary, "version" | "kind" | "result" | "startTime" | "endTime" | "message">;

/** `held`: no later update, so a person is to decide (or it is still being judged); `interrupted`: a later run of the release went on from there. */
export type Decision = "pass" | "fail" | "held" | "interrupted";

export interface TimelineStep {
  readonly update: number;
  /** What the update did, as its message says it. */
  readonly what: string;
  /** `release`, `promote`, `abort`, or `take-back` (the release's own way back). */
  readonly by: "release" | "promote" | "abort" | "take-back";
  readonly startedAt: number;
  readonly endedAt: number;
  readonly result: string;
  /** A release step that put the canary at this share of the traffic, percent. @default - not a canary share */
  readonly share?: number;
  /** A canary share: the analysis' decision after it, with its words. */
  readonly analysis?: { readonly decision: Decision; readonly words: string };
}

export type ReleaseVerdict = "released" | "aborted" | "rolled back" | "held" | "failed";

export interface ReleaseTimeline {
  readonly service: string;
  readonly version: string;
  readonly steps: readonly TimelineStep[];
  readonly verdict: ReleaseVerdict;
  /** Why, in a line: what a person reads first. */
  readonly why: string;
}

/** The timeline of the service's latest release (its version: `version`, or the newest released); undefined when the history has none. */
export function releaseTimeline(entries: readonly Entry[], service: string, version?: string): ReleaseTimeline | undefined {
  const oldestFirst = numberedUpdates(entries).sort((a, b) => a.version - b.version);
  const mine = oldestFirst.flatMap((entry) => {
    const message = parseUpdateMessage(entry.message);
    return message === undefined || message.service !== service ? [] : [{ entry, message }];
  });
  const wanted = version ?? [...mine].reverse().find((m) => m.message.command === "release")?.message.version;
  if (wanted === undefined) return undefined;
  // The latest run of updates for this version: back from the newest until another version's.
  const run: typeof mine = [];
  for (const m of [...mine].reverse()) {
    if (m.message.version !== wanted) {
      if (run.length > 0) break;
      continue;
    }
    run.unshift(m);
  }
  if (run.length === 0) return undefined;

  const steps: TimelineStep[] = run.map(({ entry, message }, i) => {
    const next = run[i + 1]?.message;
    const share = message.command === "release" && message.takenBack === undefined ? /as the canary at (\d+)% of the traffic/.exec(message.what)?.[1] : undefined;
    let analysis: TimelineStep["analysis"];
    if (share !== undefined && entry.result === "succeeded") {
      analysis =
        next === undefined
          ? { decision: "held", words: "no decision on record: held for a person, or still being judged" }
          : next.passed !== undefined
            ? { decision: "pass", words: next.passed }
            : next.takenBack === "aborted" && next.what.startsWith("the canary analysis failed")
              ? { decision: "fail", words: next.what }
              : { decision: "interrupted", words: `no decision on record: the next update was ${next.takenBack === undefined ? next.what : `a take-back (${next.what})`}` };
    }
    return {
      update: entry.version,
      what: message.takenBack === undefined ? message.what : `taken back: ${message.what}`,
      by: message.takenBack !== undefined ? "take-back" : message.command,
      startedAt: new Date(entry.startTime).getTime(),
      endedAt: new Date(entry.endTime).getTime(),
      result: entry.result,
      ...(share === undefined ? {} : { share: Number(share) }),
      ...(analysis === undefined ? {} : { analysis }),
    };
  });
  return { service, version: wanted, steps, ...verdictOf(steps, wanted) };
}

function verdictOf(steps: readonly TimelineStep[], version: string): { verdict: ReleaseVerdict; why: string } {
  const last = steps.at(-1);
  if (last === undefined) return { verdict: "failed", why: "no update" };
  const failedAnalysis = steps.find((step) => step.analysis?.decision === "fail");
  if (last.by === "take-back" || last.by === "abort") {
    if (failedAnalysis !== undefined) return { verdict: "aborted", why: failedAnalysis.analysis?.words ?? "the canary analysis failed" };
    if (last.by === "abort") return { verdict: "aborted", why: `aborted by hand: ${last.what}` };
    return { verdict: "rolled back", why: last.what.replace(/^taken back: /, "") };
  }
  if (last.result !== "succeeded") return { verdict: "failed", why: `update ${last.update} (${last.what}) ${last.result}` };
  if (last.analysis?.decision === "held") return { verdict: "held", why: `${last.what}: ${last.analysis.words}` };
  return { verdict: "released", why: `${version} serves: ${last.what}` };
}
