// Reads the counts of both canary tracks from Prometheus, window by window,
// with the service's PromQL templates: the input of canary-analysis.ts.
// Anything that makes the counts untrustworthy (an empty result, a NaN, a
// series shape the template should not give) becomes a problem in words,
// which makes the decision `inconclusive`.
import type { CanaryAnalysisConfig } from "../config/canary-analysis";
import type { AnalysisWindow, TrackCounts } from "./canary-analysis";
import type { Bucket } from "./statistics/latency-histogram";
import { promDuration, renderQuery } from "./promql-template";
import type { PrometheusClient, RangeSeries } from "./prometheus";

export type Track = "stable" | "canary";
const TRACKS: readonly Track[] = ["stable", "canary"];

export interface CanaryMetricsRequest {
  readonly app: string;
  readonly namespace: string;
  readonly analysis: CanaryAnalysisConfig;
  /** When the canary started taking traffic, Unix seconds. */
  readonly start: number;
  /** Now, Unix seconds. */
  readonly end: number;
}

export interface CanaryMetrics {
  readonly windows: AnalysisWindow[];
  readonly problems: string[];
}

/** Sample values by timestamp; a NaN or unparsable sample is reported, not counted. */
function samples(series: readonly RangeSeries[], what: string, problems: string[]): Map<number, number> {
  const byTime = new Map<number, number>();
  for (const s of series) {
    for (const [time, raw] of s.values) {
      const value = Number(raw);
      if (!Number.isFinite(value)) {
        problems.push(`Prometheus returned ${raw} for ${what} at ${new Date(time * 1000).toISOString()}`);
        continue;
      }
      // Several series (a template without sum()) add up.
      byTime.set(time, (byTime.get(time) ?? 0) + value);
    }
  }
  return byTime;
}

/** Buckets by timestamp from a `sum by (le)` range query. */
function bucketSamples(series: readonly RangeSeries[], what: string, problems: string[]): Map<number, Bucket[]> {
  const byTime = new Map<number, Bucket[]>();
  for (const s of series) {
    const leText = s.metric["le"];
    if (leText === undefined) {
      problems.push(`the latency query for ${what} returned a series without an 'le' label; it must keep 'le' (sum by (le) (...))`);
      return new Map();
    }
    const le = leText === "+Inf" ? Infinity : Number(leText);
    for (const [time, count] of samples([{ metric: s.metric, values: s.values }], `${what} (le=${leText})`, problems)) {
      byTime.set(time, [...(byTime.get(time) ?? []), { le, count }]);
    }
  }
  return byTime;
}

/** The windows since `start` (each `intervalSeconds` long, the last ending at or before `end`), and what went wrong. */
export async function readCanaryMetrics(client: PrometheusClient, request: CanaryMetricsRequest): Promise<CanaryMetrics> {
  const { analysis } = request;
  const step = analysis.intervalSeconds;
  const firstEnd = request.start + step;
  if (request.end < firstEnd) return { windows: [], problems: [] };
  const range = { start: firstEnd, end: request.end, stepSeconds: step };
  const render = (template: string, version: Track) =>
    renderQuery(template, { app: request.app, version, namespace: request.namespace, interval: promDuration(step) });

  const perTrack = await Promise.all(
    TRACKS.map(async (track) => {
      // Per track, so the problems read in track order whichever query answers first.
      const problems: string[] = [];
      const [requests, errors, latency] = await Promise.all([
        client.queryRange({ ...range, query: render(analysis.queries.requests, track) }),
        client.queryRange({ ...range, query: render(analysis.queries.errors, track) }),
        analysis.checkLatency ? client.queryRange({ ...range, query: render(analysis.queries.latency, track) }) : Promise.resolve([]),
      ]);
      if (requests.length === 0) {
        problems.push(
          `no data for the ${track} track's requests since ${new Date(request.start * 1000).toISOString()}: is it taking traffic, ` +
            `and does Prometheus scrape it with the labels app="${request.app}", version="${track}"? (query: ${render(analysis.queries.requests, track)})`,
        );
      }
      if (analysis.checkLatency && latency.length === 0 && requests.length > 0) {
        problems.push(`no latency histogram for the ${track} track (query: ${render(analysis.queries.latency, track)}); set checkLatency: false if it has none`);
      }
      // No error series at all is normal: a counter by status code has no 5xx series until a 5xx happens.
      return {
        track,
        requests: samples(requests, `the ${track} track's requests`, problems),
        errors: samples(errors, `the ${track} track's errors`, problems),
        latency: bucketSamples(latency, `the ${track} track`, problems),
        problems,
      };
    }),
  );
  const problems = perTrack.flatMap((t) => t.problems);

  const times = new Set<number>();
  for (const t of perTrack) for (const time of t.requests.keys()) times.add(time);
  const counts = (track: Track, time: number): TrackCounts => {
    const t = perTrack.find((p) => p.track === track);
    const latency = t?.latency.get(time);
    return { requests: t?.requests.get(time) ?? 0, errors: t?.errors.get(time) ?? 0, ...(latency === undefined ? {} : { latency }) };
  };
  const windows = [...times].sort((a, b) => a - b).map((time) => ({ end: time, stable: counts("stable", time), canary: counts("canary", time) }));
  return { windows, problems };
}
