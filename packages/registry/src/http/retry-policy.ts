/**
 * When and how long to wait before sending a request again: connection failures, 408, 429 and
 * 5xx answers are transient on every real registry (rate limits, rolling restarts, storage
 * hiccups). Bounded: a registry that keeps failing gets a clear error, not a hang.
 */

/** Retry settings of a registry client. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 5; 1 disables retries). */
  attempts?: number | undefined;
  /** The first backoff delay; each later one doubles (default 250 ms). */
  baseDelayMs?: number | undefined;
  /** The longest single wait, `Retry-After` included (default 30 s); a longer `Retry-After` fails at once. */
  maxDelayMs?: number | undefined;
}

/** Statuses worth another attempt. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** An HTTP date as RFC 9110 allows it (IMF-fixdate, RFC 850 or asctime): it starts with the day's name. */
const HTTP_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /;

/**
 * The wait a `Retry-After` value asks for, in ms: delay-seconds (digits only; too many to count
 * is `Infinity`) or an HTTP date (0 once past). `undefined` when the value is neither — then it
 * is ignored, as RFC 9110 says, rather than read as something it does not say.
 */
export function retryAfterMs(retryAfter: string | null, now: number = Date.now()): number | undefined {
  const value = retryAfter?.trim() ?? '';
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  if (!HTTP_DATE.test(value)) return undefined;
  // asctime dates carry no zone and are GMT; Date.parse would read them as local time.
  const at = Date.parse(/ (?:GMT|UTC)$/.test(value) ? value : `${value} GMT`);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/**
 * The wait before attempt `attempt + 1` (0-based `attempt` just failed): the server's
 * `Retry-After` (seconds or an HTTP date) when given, else exponential backoff with jitter so
 * that many clients do not retry in lockstep. `undefined` means: do not retry (no attempts
 * left, or the server asks for a longer wait than `maxDelayMs`).
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
  const asked = retryAfterMs(retryAfter, now);
  if (asked !== undefined) return asked > max ? undefined : asked;
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
