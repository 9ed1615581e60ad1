// One look at a canary: read both tracks from Prometheus since the canary
// started, then decide. A Prometheus that cannot answer makes the look
// `inconclusive` with the reason, within the query timeout.
import type { CanaryAnalysisConfig } from "../config/canary-analysis";
import { analyzeCanary, type CanaryAnalysis } from "./canary-analysis";
import { readCanaryMetrics } from "./canary-metrics";
import { PrometheusClient, PrometheusError } from "./prometheus";

export interface AnalysisRequest {
  /** The service: its `app` label. */
  readonly service: string;
  readonly namespace: string;
  readonly analysis: CanaryAnalysisConfig;
  /** When the canary started taking traffic, Unix seconds. */
  readonly start: number;
  /** Now, Unix seconds. @default the clock */
  readonly now?: number;
}

export async function runAnalysis(request: AnalysisRequest): Promise<CanaryAnalysis> {
  const { analysis } = request;
  const now = request.now ?? Date.now() / 1000;
  const client = new PrometheusClient(analysis.prometheusUrl, analysis.timeoutSeconds * 1000);
  const settings = { ...analysis };
  const elapsedSeconds = Math.max(0, now - request.start);
  try {
    const metrics = await readCanaryMetrics(client, { app: request.service, namespace: request.namespace, analysis, start: request.start, end: now });
    return analyzeCanary({ windows: metrics.windows, elapsedSeconds, settings, problems: metrics.problems });
  } catch (error) {
    if (!(error instanceof PrometheusError)) throw error;
    return analyzeCanary({ windows: [], elapsedSeconds, settings, problems: [error.message] });
  }
}
