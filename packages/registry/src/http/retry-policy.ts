/**
 * When and how long to wait before sending a request again: connection failures, 408, 429 and
 * 5xx answers are transient on every real registry (rate limits, rolling restarts, storage
 * hiccups). Bounded: a registry that keeps failing gets a clear error, not a hang.
 */

/** Retry settings of a registry client. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 5; 1 disables retries). */
  attempts?: number;
  /** The first backoff delay; each later one doubles (default 250 ms). */
  baseDelayMs?: number;
  /** The longest single wait, `Retry-After` included (default 30 s); a longer `Retry-After` fails at once. */
  maxDelayMs?: number;
}

/** Statuses worth another attempt. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/**
 * The wait before attempt `attempt + 1` (0-based `attempt` just failed): the server's
 * `Retry-After` (seconds or an HTTP date) when given, else exponential backoff with jitter so
 * that many clients do not retry in lockstep. `undefined` means: do not retry.
 */
export function retryDelay(
  options: RetryOptions,
  attempt: number,
  retryAfter: string | null,
  now: number = Date.now(),
): number | undefined {
  const attempts = options.attempts ?? 5;
  const max = options.maxDelayMs ?? 30_000;
  if (attempt + 1 >= attempts) return undefined;
  if (retryAfter !== null && retryAfter.trim() !== '') {
    const seconds = /^\s*\d+\s*$/.test(retryAfter) ? Number(retryAfter) * 1000 : Date.parse(retryAfter) - now;
    if (Number.isFinite(seconds)) return seconds > max ? undefined : Math.max(0, seconds);
  }
  const backoff = (options.baseDelayMs ?? 250) * 2 ** attempt;
  return Math.min(max, backoff / 2 + Math.random() * (backoff / 2));
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
