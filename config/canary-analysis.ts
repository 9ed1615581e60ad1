// The `analysis` settings of a canary service: how `analyze` reads its
// metrics from Prometheus and how much worse than the stable the canary may
// be. Every key has a default, so `analysis: {}` (or none) works for services
// that export the common metric shapes.
import { z } from "zod";
import { QUERY_PLACEHOLDERS, templatePlaceholders } from "../analysis/promql-template";

/** prom-client's and most HTTP middlewares' shape: a counter by status `code`, a histogram in seconds. */
export const DEFAULT_ANALYSIS_QUERIES = {
  requests: 'sum(increase(http_requests_total{namespace="{{namespace}}",app="{{app}}",version="{{version}}"}[{{interval}}]))',
  errors: 'sum(increase(http_requests_total{namespace="{{namespace}}",app="{{app}}",version="{{version}}",code=~"5.."}[{{interval}}]))',
  latency:
    'sum by (le) (increase(http_request_duration_seconds_bucket{namespace="{{namespace}}",app="{{app}}",version="{{version}}"}[{{interval}}]))',
} as const;

const known = QUERY_PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ");

/** A PromQL template that reads one track: it must name `{{version}}`, and only known placeholders. */
const queryTemplateSchema = z
  .string()
  .min(1)
  .superRefine((template, ctx) => {
    if (template.length === 0) return; // min(1) says so already
    const used = templatePlaceholders(template);
    const unknown = used.filter((name) => !(QUERY_PLACEHOLDERS as readonly string[]).includes(name));
    if (unknown.length > 0) {
      ctx.addIssue({ code: "custom", message: `uses ${unknown.map((n) => `'{{${n}}}'`).join(", ")}, which is not one of ${known}` });
    } else if (!used.includes("version")) {
      ctx.addIssue({ code: "custom", message: `must select a track with {{version}}, or the stable and the canary would read the same series (got '${template}')` });
    }
  });

const ratioSchema = z
  .number({ error: (issue) => `must be a number (got ${JSON.stringify(issue.input)})` })
  .gt(1, { error: (issue) => `must be above 1: a canary exactly as good as the stable must never fail (got ${String(issue.input)})` })
  .max(100, { error: (issue) => `must be at most 100 (got ${String(issue.input)})` });

export const canaryAnalysisSchema = z
  .strictObject({
    /** Where `analyze` reaches Prometheus' HTTP API (a port-forward by default). @default http://127.0.0.1:9090 */
    prometheusUrl: z.url({ protocol: /^https?$/, error: (issue) => `must be an http:// or https:// URL (got ${JSON.stringify(issue.input)})` }).default("http://127.0.0.1:9090"),
    /** Seconds between looks: each query's window and step. At least twice Prometheus' scrape interval. @default 30 */
    intervalSeconds: z.int().min(1).max(3600).default(30),
    /** Seconds one query may take; past it the analysis is `inconclusive`. @default 10 */
    timeoutSeconds: z.int().min(1).max(120).default(10),
    /** 1 - the chance of a false `fail` over the whole analysis, however often it runs. @default 0.95 */
    confidence: z
      .number()
      .min(0.8, { error: (issue) => `must be between 0.8 and 0.999: 1 - confidence is the chance of a false fail (got ${String(issue.input)})` })
      .max(0.999, { error: (issue) => `must be between 0.8 and 0.999: 1 - confidence is the chance of a false fail (got ${String(issue.input)})` })
      .default(0.95),
    /** Tolerated: the canary's error rate up to this many times the stable's. @default 1.5 */
    maxErrorRatio: ratioSchema.default(1.5),
    /** Tolerated: the canary's share of requests slower than the stable's latency quantile, up to this many times the stable's. @default 1.5 */
    maxSlowRatio: ratioSchema.default(1.5),
    /** The stable's latency quantile that marks a request slow. @default 0.99 */
    latencyQuantile: z.number().min(0.5).max(0.999).default(0.99),
    /** Check latency too (needs the histogram query). @default true */
    checkLatency: z.boolean().default(true),
    /** Canary requests needed before `pass`. @default 500 */
    minCanaryRequests: z.int().min(1).max(10_000_000).default(500),
    /** After this long, a canary with enough traffic and no evidence against it passes. @default 1800 */
    maxDurationSeconds: z.int().min(60).max(7 * 86_400).default(1800),
    /** PromQL templates; placeholders {{app}}, {{version}}, {{namespace}}, {{interval}}. @default DEFAULT_ANALYSIS_QUERIES */
    queries: z
      .strictObject({
        /** Requests of one track in the window. */
        requests: queryTemplateSchema.default(DEFAULT_ANALYSIS_QUERIES.requests),
        /** Failed requests (5xx) of one track in the window. */
        errors: queryTemplateSchema.default(DEFAULT_ANALYSIS_QUERIES.errors),
        /** Request-duration histogram buckets of one track in the window, one series per `le`. */
        latency: queryTemplateSchema.default(DEFAULT_ANALYSIS_QUERIES.latency),
      })
      .default(DEFAULT_ANALYSIS_QUERIES),
  })
  .superRefine((analysis, ctx) => {
    if (analysis.intervalSeconds * 2 > analysis.maxDurationSeconds) {
      ctx.addIssue({
        code: "custom",
        path: ["intervalSeconds"],
        message: `must be at most half of maxDurationSeconds, so the analysis looks at least twice (${analysis.intervalSeconds} s against ${analysis.maxDurationSeconds} s)`,
      });
    }
  });

export type CanaryAnalysisConfig = z.infer<typeof canaryAnalysisSchema>;

/** The settings of a service without `analysis`: every default. */
export function defaultCanaryAnalysis(): CanaryAnalysisConfig {
  return canaryAnalysisSchema.parse({});
}
