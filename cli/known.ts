// What an outside read gave, or why it gave nothing: a read that fails or
// runs past its bound is `unknown` with the reason, never a guess.
export type Known<T> = { readonly known: true; readonly value: T } | { readonly known: false; readonly reason: string };

/** `read`, bounded by `timeoutMs` (its signal aborts then); a failure or the bound becomes `unknown`. */
export async function within<T>(what: string, timeoutMs: number, read: (signal: AbortSignal) => Promise<T>): Promise<Known<T>> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    return { known: true, value: await read(abort.signal) };
  } catch (error) {
    if (abort.signal.aborted) return { known: false, reason: `${what} did not finish within ${timeoutMs / 1000} s` };
    return { known: false, reason: `${what} failed: ${(error instanceof Error ? error.message : String(error)).trim().split("\n")[0]}` };
  } finally {
    clearTimeout(timer);
  }
}
