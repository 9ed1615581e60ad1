// A release's timeline, read back from the stack history: the updates
// `safe-deploy release`, `promote` and `abort` made for the service's latest
// release (their messages name the service and the version), each with when
// it ran, how long, its result, and the decision recorded with it: the
// canary analysis' pass of a share is in the next update's message, a fail
// in the take-back's. A canary share with no later update has no decision
// on record: the release is held, or still running.
import type { UpdateSummary } from "@pulumi/pulumi/automation";
import { numberedUpdates } from "../cli/history";

type Entry = Pick<UpdateSummary, "version" | "kind" | "result" | "startTime" | "endTime" | "message">;

export type Decision = "pass" | "fail" | "none";

export interface TimelineStep {
  readonly update: number;
  /** What the update did, as its message says it. */
  readonly what: string;
  /** `release`, `promote`, `abort`, or `take-back` (the release's own way back). */
  readonly by: "release" | "promote" | "abort" | "take-back";
  readonly startedAt: number;
  readonly endedAt: number;
  readonly result: string;
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

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The timeline of the service's latest release (its version: `version`, or the newest released); undefined when the history has none. */
export function releaseTimeline(entries: readonly Entry[], service: string, version?: string): ReleaseTimeline | undefined {
  const oldestFirst = numberedUpdates(entries).sort((a, b) => a.version - b.version);
  const svc = escapeRegExp(service);
  const ofService = new RegExp(`^safe-deploy (release|promote|abort) ${svc} (\\S+): (.*)$`, "s");
  const mine = oldestFirst.flatMap((entry) => {
    const match = ofService.exec(entry.message ?? "");
    return match === null ? [] : [{ entry, command: match[1] as "release" | "promote" | "abort", version: match[2] ?? "", text: match[3] ?? "" }];
  });
  const wanted = version ?? [...mine].reverse().find((m) => m.command === "release")?.version;
  if (wanted === undefined) return undefined;
  // The latest run of updates for this version: back from the newest until another version's.
  const run: typeof mine = [];
  for (const m of [...mine].reverse()) {
    if (m.version !== wanted) {
      if (run.length > 0) break;
      continue;
    }
    run.unshift(m);
  }
  if (run.length === 0) return undefined;

  const steps: TimelineStep[] = run.map((m, i) => {
    const takeBack = /^taken back \((rolled-back|aborted)\): (.*)$/s.exec(m.text);
    const what = (takeBack === null ? m.text.split("; the canary analysis passed ")[0] ?? m.text : `taken back: ${takeBack[2] ?? ""}`).replace(/ \(released again: .*\)$/s, "");
    const next = run[i + 1];
    const isShare = /as the canary at \d+% of the traffic/.test(what) && takeBack === null && m.command === "release";
    let analysis: TimelineStep["analysis"];
    if (isShare && m.entry.result === "succeeded") {
      const passed = next === undefined ? null : /; (the canary analysis passed .*)$/s.exec(next.text);
      const failed = next === undefined ? null : /^taken back \(aborted\): (the canary analysis failed .*)$/s.exec(next.text);
      analysis =
        passed?.[1] !== undefined
          ? { decision: "pass", words: passed[1] }
          : failed?.[1] !== undefined
            ? { decision: "fail", words: failed[1] }
            : { decision: "none", words: next === undefined ? "no decision on record: held for a person, or still being judged" : `no decision on record before: ${next.text}` };
    }
    return {
      update: m.entry.version,
      what,
      by: takeBack !== null ? "take-back" : m.command,
      startedAt: new Date(m.entry.startTime).getTime(),
      endedAt: new Date(m.entry.endTime).getTime(),
      result: m.entry.result,
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
  if (last.analysis?.decision === "none") return { verdict: "held", why: `${last.what}: ${last.analysis.words}` };
  return { verdict: "released", why: `${version} serves: ${last.what}` };
}
