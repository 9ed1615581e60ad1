// One HTTP request with a time bound on all of it (connect, headers, body), answered
// with what came back or why nothing did: never a throw, never a hang.

/** How much of a body is kept: enough for JSON fields and a report, never a whole download. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface ProbeRequest {
  readonly url: string;
  /** @default "GET" */
  readonly method?: string;
  /** @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  /** @default - no body */
  readonly body?: string;
  /** The bound on the whole exchange, body included. */
  readonly timeoutMs: number;
}

export interface ProbeResponse {
  readonly kind: "response";
  readonly status: number;
  /** At most MAX_BODY_BYTES of the body, decoded as UTF-8. */
  readonly body: string;
  readonly elapsedMs: number;
}

export interface ProbeFailure {
  readonly kind: "failure";
  /** Why nothing came back, in words (`connection refused`, `no response within 500 ms`). */
  readonly reason: string;
  /** Whether the time bound, rather than the network, ended it. */
  readonly timedOut: boolean;
  readonly elapsedMs: number;
}

export type ProbeResult = ProbeResponse | ProbeFailure;

export async function probe(request: ProbeRequest): Promise<ProbeResult> {
  const started = performance.now();
  const elapsedMs = () => Math.round(performance.now() - started);
  const timeoutMs = Math.max(1, Math.floor(request.timeoutMs));
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(request.url, {
      method: request.method ?? "GET",
      headers: { ...request.headers },
      body: request.body,
      signal,
      // A redirect (to a login page, say) is an answer to report, not one to follow into a 200.
      redirect: "manual",
    });
    const body = await readCapped(response);
    return { kind: "response", status: response.status, body, elapsedMs: elapsedMs() };
  } catch (error) {
    const timedOut = signal.aborted;
    const reason = timedOut ? `no response within ${timeoutMs} ms` : describeNetworkError(error);
    return { kind: "failure", reason, timedOut, elapsedMs: elapsedMs() };
  }
}

async function readCapped(response: Response): Promise<string> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < MAX_BODY_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  // Releases the connection when the body is longer than what we keep.
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString("utf8");
}

/** undici reports every network failure as `fetch failed`; the cause says which. */
function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined;
  const words: Readonly<Record<string, string>> = {
    ECONNREFUSED: "connection refused",
    ECONNRESET: "connection reset",
    ENOTFOUND: "host not found",
    EAI_AGAIN: "host name lookup failed",
    ETIMEDOUT: "connection timed out",
    EHOSTUNREACH: "host unreachable",
    UND_ERR_SOCKET: "connection closed before a response",
  };
  if (code !== undefined) return `${words[code] ?? "network error"} (${code})`;
  // fetch refuses the ports browsers refuse (1, 6000, 6665-6669, ...), saying only `bad port`.
  if (cause instanceof Error && cause.message === "bad port") return "bad port: fetch refuses this port, as browsers do; serve on another";
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
