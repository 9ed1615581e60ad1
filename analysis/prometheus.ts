// A small client of Prometheus' HTTP API (/api/v1/query_range), bounded by a
// timeout: a Prometheus that hangs, refuses or answers nonsense becomes a
// PrometheusError that says which, never a hang and never a number.

export type PrometheusProblem = "unreachable" | "timeout" | "http" | "query" | "response";

export class PrometheusError extends Error {
  constructor(
    message: string,
    readonly problem: PrometheusProblem,
  ) {
    super(message);
    this.name = "PrometheusError";
  }
}

/** One series of a range query: its labels and its [unix seconds, value] samples (values as Prometheus writes them). */
export interface RangeSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly values: readonly (readonly [number, string])[];
}

export interface RangeQuery {
  readonly query: string;
  /** Unix seconds. */
  readonly start: number;
  readonly end: number;
  readonly stepSeconds: number;
}

function isRangeSeries(value: unknown): value is RangeSeries {
  if (typeof value !== "object" || value === null) return false;
  const { metric, values } = value as { metric?: unknown; values?: unknown };
  return typeof metric === "object" && metric !== null && Array.isArray(values);
}

/** The cause Node's fetch wraps its network errors in (ECONNREFUSED, ...). */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? String(error);
}

export class PrometheusClient {
  constructor(
    readonly baseUrl: string,
    readonly timeoutMs: number,
  ) {}

  /** Runs a range query; the whole exchange (connect, answer, body) must finish within the timeout. */
  async queryRange(range: RangeQuery): Promise<RangeSeries[]> {
    const url = new URL("api/v1/query_range", this.baseUrl.endsWith("/") ? this.baseUrl : `${this.baseUrl}/`);
    const body = new URLSearchParams({
      query: range.query,
      start: String(range.start),
      end: String(range.end),
      step: `${range.stepSeconds}s`,
      // Prometheus stops evaluating by itself too, so a heavy query does not keep running after we gave up.
      timeout: `${Math.max(1, Math.floor(this.timeoutMs / 1000))}s`,
    });
    const where = `Prometheus at ${this.baseUrl}`;
    let text: string;
    let status: number;
    try {
      const response = await fetch(url, { method: "POST", body, signal: AbortSignal.timeout(this.timeoutMs) });
      status = response.status;
      text = await response.text();
    } catch (error) {
      if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
        throw new PrometheusError(`${where} did not answer within ${this.timeoutMs} ms`, "timeout");
      }
      throw new PrometheusError(`${where} is unreachable (${causeOf(error)})`, "unreachable");
    }
    let parsed: { status?: unknown; error?: unknown; data?: { resultType?: unknown; result?: unknown } };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new PrometheusError(`${where} answered HTTP ${status} with something that is not its API's JSON`, status === 200 ? "response" : "http");
    }
    if (parsed.status !== "success") {
      const why = typeof parsed.error === "string" ? parsed.error : `HTTP ${status}`;
      throw new PrometheusError(`${where} refused the query: ${why} (query: ${range.query})`, "query");
    }
    const result = parsed.data?.result;
    if (parsed.data?.resultType !== "matrix" || !Array.isArray(result) || !result.every(isRangeSeries)) {
      throw new PrometheusError(`${where} answered a range query without a matrix (query: ${range.query})`, "response");
    }
    return result;
  }
}
