import { sleep } from "./processes";

export interface WaitOptions {
  /** @default 60_000 */
  readonly timeoutMs?: number;
  /** @default 100 */
  readonly intervalMs?: number;
  /** Checked before each probe; a message here aborts the wait at once (a component died). */
  readonly abortReason?: () => string | undefined;
}

/**
 * Polls `probe` until it returns a value other than undefined. Errors thrown
 * by the probe count as "not yet" (the API server refuses connections while
 * it starts); the last one is quoted when the wait times out.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 100;
  const started = Date.now();
  let last = "no answer yet";
  for (;;) {
    const aborted = options.abortReason?.();
    if (aborted !== undefined) throw new Error(`gave up waiting for ${what}: ${aborted}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
      last = "not yet";
    } catch (error) {
      last = describeError(error);
    }
    if (Date.now() - started >= timeoutMs) {
      throw new Error(`timed out after ${(timeoutMs / 1000).toFixed(0)} s waiting for ${what} (last: ${last})`);
    }
    await sleep(intervalMs);
  }
}

/** Polls `check` until it holds; as waitFor, for conditions that carry no value. */
export async function waitUntil(what: string, check: () => Promise<boolean>, options: WaitOptions = {}): Promise<void> {
  await waitFor(what, async () => ((await check()) ? true : undefined), options);
}

/** An error's message with its causes: client-node's "Error occurred in health request" alone hides why. */
function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined && parts.length < 4; e = e instanceof Error ? e.cause : undefined) {
    parts.push(e instanceof Error ? e.message : String(e));
  }
  return parts.join(": ");
}
