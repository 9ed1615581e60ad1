// The analysis settings the Prometheus tests use: the schema's defaults, with
// a short interval and timeout so that a few seconds of traffic make many windows.
import { canaryAnalysisSchema, type CanaryAnalysisConfig } from "../../config/canary-analysis";

export function analyzeCanaryConfig(prometheusUrl: string, overrides: Record<string, unknown> = {}): CanaryAnalysisConfig {
  return canaryAnalysisSchema.parse({ prometheusUrl, intervalSeconds: 2, timeoutSeconds: 2, maxDurationSeconds: 60, ...overrides });
}
