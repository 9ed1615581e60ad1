// The two tracks over a release, for the report's charts: per window, the
// error rate and the latency quantile the analysis marks slow requests by,
// read from Prometheus with the service's own analysis queries. Windows are
// widened on a long release so a chart keeps a few hundred points. A
// Prometheus that cannot answer leaves the charts empty, with the reason.
import type { TrackCounts } from "../analysis/canary-analysis";
import { readCanaryMetrics } from "../analysis/canary-metrics";
import { PrometheusClient, PrometheusError } from "../analysis/prometheus";
import { histogramQuantile } from "../analysis/statistics/latency-histogram";
import type { CanaryAnalysisConfig } from "../config/canary-analysis";

export interface Point {
  /** Unix seconds, the end of the window. */
  readonly t: number;
  readonly v: number;
}

export interface TrackSeries {
  /** Errors over requests, per window; a window without requests has no point. */
  readonly errorRate: { readonly stable: readonly Point[]; readonly canary: readonly Point[] };
  /** The latency quantile (`latencyQuantile`, seconds) per window. */
  readonly latency: { readonly stable: readonly Point[]; readonly canary: readonly Point[] };
  readonly quantile: number;
  /** Why the charts are empty or thin: Prometheus' own words. */
  readonly problems: readonly string[];
}

/** At most this many windows in a chart. */
const MAX_POINTS = 300;

export async function readTrackSeries(request: { readonly app: string; readonly namespace: string; readonly analysis: CanaryAnalysisConfig; readonly start: number; readonly end: number }): Promise<TrackSeries> {
  const span = Math.max(1, request.end - request.start);
  const intervalSeconds = Math.max(request.analysis.intervalSeconds, Math.ceil(span / MAX_POINTS));
  const analysis = { ...request.analysis, intervalSeconds };
  const quantile = analysis.latencyQuantile;
  const empty = { stable: [], canary: [] };
  try {
    const client = new PrometheusClient(analysis.prometheusUrl, analysis.timeoutSeconds * 1000);
    const metrics = await readCanaryMetrics(client, { app: request.app, namespace: request.namespace, analysis, start: request.start, end: request.end });
    const rate = (track: "stable" | "canary") => metrics.windows.flatMap((w) => point(w.end, w[track], (c) => (c.requests > 0 ? c.errors / c.requests : undefined)));
    const latency = (track: "stable" | "canary") =>
      metrics.windows.flatMap((w) => point(w.end, w[track], (c) => (c.latency === undefined || c.requests <= 0 ? undefined : histogramQuantile(c.latency, quantile))));
    return { errorRate: { stable: rate("stable"), canary: rate("canary") }, latency: { stable: latency("stable"), canary: latency("canary") }, quantile, problems: metrics.problems };
  } catch (error) {
    if (!(error instanceof PrometheusError)) throw error;
    return { errorRate: empty, latency: empty, quantile, problems: [error.message] };
  }
}

function point(t: number, counts: TrackCounts, value: (counts: TrackCounts) => number | undefined): Point[] {
  const v = value(counts);
  return v === undefined || !Number.isFinite(v) ? [] : [{ t, v }];
}
