// Between two canary steps of a release: the canary analysis (analysis/) read
// from Prometheus every interval, from the moment the step's update put the
// canary at its share, until it decides. `pass` lets the next step start,
// `fail` aborts; still `inconclusive` at the step's bound (the analysis'
// maxDurationSeconds and one more look, or the command's own deadline) holds
// the release for a person, saying what is missing. Every look is bounded by
// the analysis' query timeout, so a Prometheus that hangs ends as a hold.
import type { CanaryAnalysis } from "../analysis/canary-analysis";
import { runAnalysis } from "../analysis/run-analysis";
import type { CanaryAnalysisConfig } from "../config/canary-analysis";

export interface CanaryJudgement {
  readonly decision: CanaryAnalysis["decision"];
  /** The last look, whose reasons and numbers are the evidence. */
  readonly last: CanaryAnalysis;
  /** Every look: when (Unix seconds), its decision and the canary's and stable's error rates (in --json; the report reads Prometheus itself). */
  readonly looks: readonly { readonly at: number; readonly decision: CanaryAnalysis["decision"]; readonly canaryErrorRate: number; readonly stableErrorRate: number; readonly canaryRequests: number }[];
  /** When the analysis started (the step's update done) and ended, Unix seconds. */
  readonly start: number;
  readonly end: number;
}

export interface JudgeRequest {
  readonly service: string;
  readonly namespace: string;
  readonly analysis: CanaryAnalysisConfig;
  /** Unix ms after which the command must stop waiting (its --timeout). */
  readonly deadlineMs: number;
  readonly progress: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function judgeCanary(request: JudgeRequest): Promise<CanaryJudgement> {
  const { analysis } = request;
  const startMs = Date.now();
  const intervalMs = analysis.intervalSeconds * 1000;
  const boundMs = Math.min(startMs + (analysis.maxDurationSeconds + analysis.intervalSeconds) * 1000, request.deadlineMs);
  const looks: CanaryJudgement["looks"][number][] = [];
  for (;;) {
    // The first look waits one interval too: before it, the canary's share has no window of its own.
    await sleep(Math.max(0, Math.min(intervalMs, boundMs - Date.now() - analysis.timeoutSeconds * 1000)));
    const last = await runAnalysis({ service: request.service, namespace: request.namespace, analysis, start: startMs / 1000 });
    const at = Date.now() / 1000;
    looks.push({ at, decision: last.decision, canaryErrorRate: last.canary.errorRate.rate, stableErrorRate: last.stable.errorRate.rate, canaryRequests: last.canary.requests });
    request.progress(
      `  analysis after ${Math.round(last.elapsedSeconds)} s: ${last.decision} (canary ${pct(last.canary.errorRate.rate)} errors of ${last.canary.requests.toFixed(0)} requests, stable ${pct(last.stable.errorRate.rate)})` +
        (last.decision === "inconclusive" ? `: ${last.reasons[0] ?? ""}` : ""),
    );
    if (last.decision !== "inconclusive" || Date.now() + intervalMs > boundMs) return { decision: last.decision, last, looks, start: startMs / 1000, end: at };
  }
}

const pct = (rate: number) => `${(100 * rate).toFixed(2)}%`;
