/** The longest wait a Retry-After header may impose (a misbehaving proxy may ask for hours). */
export const MAX_RETRY_AFTER_MS = 600_000;

/**
 * Delay before retry `attempt` (1-based): capped exponential backoff with "equal jitter" — half
 * the capped delay fixed, half random — so forwarder replicas that failed together do not retry
 * together, yet never retry sooner than half the backoff.
 */
export function backoffDelayMs(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const capped = Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.round(capped / 2 + random() * (capped / 2));
}

/**
 * Milliseconds a `Retry-After` header asks to wait (delta-seconds or an HTTP-date, RFC 9110
 * §10.2.3), capped at {@link MAX_RETRY_AFTER_MS}; undefined when absent or unreadable.
 */
export function retryAfterMs(
  header: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Math.min(Number(value) * 1000, MAX_RETRY_AFTER_MS);
  // an HTTP-date names its day and month; Date.parse alone would read "-3" as a year
  const at = /[A-Za-z]/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(at)) return undefined;
  return Math.min(Math.max(at - now, 0), MAX_RETRY_AFTER_MS);
}

/** Waits `ms`, or less when `signal` aborts (a stop must not sit out a 10-minute backoff). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
