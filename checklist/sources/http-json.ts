// One GET of a JSON API under the source's AbortSignal, failing with words
// that name the service and what went wrong (never the credentials).

/** The cause Node's fetch wraps its network errors in (ECONNREFUSED, ...). */
export function networkCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

export class HttpStatusError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "HttpStatusError";
  }
}

/** `base` joined with an API path, keeping a path prefix in the base (a proxy's /alertmanager/). */
export function apiUrl(base: string, path: string): URL {
  return new URL(path.replace(/^\//, ""), base.endsWith("/") ? base : `${base}/`);
}

export async function getJson(url: URL, where: string, signal: AbortSignal, headers: Record<string, string> = {}): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: "application/json", ...headers }, signal });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new Error(`${where} is unreachable (${networkCause(error)})`);
  }
  const text = await response.text();
  if (!response.ok) throw new HttpStatusError(`${where} answered HTTP ${response.status}${text.length > 0 ? `: ${text.slice(0, 200).trim()}` : ""}`, response.status);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${where} answered HTTP ${response.status} with something that is not JSON`);
  }
}
