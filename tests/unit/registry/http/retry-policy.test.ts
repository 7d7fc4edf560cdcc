/**
 * When to send again and how long to wait: which statuses are transient, the attempt limit,
 * exponential backoff with jitter under a cap, and Retry-After in seconds or as an HTTP date —
 * honoured when reasonable, a reason to fail at once when longer than the cap, ignored when
 * malformed.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  isRetryableStatus,
  retryAfterMs,
  retryDelay,
  sleep,
} from '../../../../packages/registry/src/http/retry-policy.js';
import { checkProperty } from '../../../fixtures/property.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

afterEach(() => vi.restoreAllMocks());

describe('isRetryableStatus', () => {
  it.each([408, 429, 500, 502, 503, 504, 507, 599])('%i is transient', (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });
  it.each([200, 301, 400, 401, 403, 404, 405, 409, 416, 501, 505])('%i is not', (status) => {
    expect(isRetryableStatus(status)).toBe(false);
  });
});

describe('retryDelay: attempts and backoff', () => {
  it('five attempts by default: four waits, then none', () => {
    const delays = [0, 1, 2, 3, 4].map((attempt) => retryDelay({}, attempt, null, NOW));
    expect(delays.slice(0, 4).every((delay) => typeof delay === 'number')).toBe(true);
    expect(delays[4]).toBeUndefined();
  });

  it('attempts: 1 disables retries; 0 and negative too', () => {
    for (const attempts of [1, 0, -3]) expect(retryDelay({ attempts }, 0, null, NOW)).toBeUndefined();
    expect(retryDelay({ attempts: 2 }, 0, null, NOW)).toBeTypeOf('number');
  });

  it('doubles from baseDelayMs, jittered in the upper half', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    expect([0, 1, 2, 3].map((a) => retryDelay({ baseDelayMs: 100, attempts: 10 }, a, null, NOW))).toEqual([
      50, 100, 200, 400,
    ]);
    vi.spyOn(Math, 'random').mockReturnValue(0.999999);
    const high = retryDelay({ baseDelayMs: 100, attempts: 10 }, 3, null, NOW)!;
    expect(high).toBeGreaterThan(799);
    expect(high).toBeLessThanOrEqual(800);
  });

  it('the default base is 250 ms; the cap (maxDelayMs, default 30 s) bounds every wait', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    expect(retryDelay({}, 0, null, NOW)).toBe(125);
    expect(retryDelay({ attempts: 40 }, 30, null, NOW)).toBe(30_000);
    expect(retryDelay({ attempts: 40, maxDelayMs: 1_000 }, 10, null, NOW)).toBe(1_000);
  });

  it('backoff is always within [0, maxDelayMs]', async () => {
    await checkProperty(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (attempt, baseDelayMs, maxDelayMs) => {
          const delay = retryDelay({ attempts: 100, baseDelayMs, maxDelayMs }, attempt, null, NOW)!;
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(maxDelayMs);
        },
      ),
    );
  });
});

describe('retryDelay: Retry-After', () => {
  it('seconds, with surrounding spaces; 0 means at once', () => {
    expect(retryDelay({}, 0, '3', NOW)).toBe(3_000);
    expect(retryDelay({}, 0, ' 7 ', NOW)).toBe(7_000);
    expect(retryDelay({}, 0, '0', NOW)).toBe(0);
  });

  it('an HTTP date (IMF-fixdate, RFC 850, asctime), past dates meaning at once', () => {
    expect(retryDelay({}, 0, 'Thu, 01 Jan 2026 12:00:05 GMT', NOW)).toBe(5_000);
    expect(retryDelay({}, 0, 'Thursday, 01-Jan-26 12:00:09 GMT', NOW)).toBe(9_000);
    expect(retryDelay({}, 0, 'Thu Jan  1 12:00:02 2026', NOW)).toBe(2_000);
    expect(retryDelay({}, 0, 'Wed, 31 Dec 2025 00:00:00 GMT', NOW)).toBe(0);
  });

  it('an asctime date is GMT, whatever the local time zone', () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      expect(retryAfterMs('Thu Jan  1 12:00:02 2026', NOW)).toBe(2_000);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('longer than maxDelayMs: undefined — fail now rather than hang', () => {
    expect(retryDelay({}, 0, '31', NOW)).toBeUndefined();
    expect(retryDelay({}, 0, '30', NOW)).toBe(30_000);
    expect(retryDelay({ maxDelayMs: 2_000 }, 0, '3', NOW)).toBeUndefined();
    expect(retryDelay({}, 0, 'Fri, 02 Jan 2026 12:00:00 GMT', NOW)).toBeUndefined();
    expect(retryDelay({}, 0, '86400', NOW)).toBeUndefined();
  });

  it('a number too large for a double is longer than any limit', () => {
    expect(retryDelay({}, 0, '9'.repeat(400), NOW)).toBeUndefined();
    expect(retryAfterMs('9'.repeat(400), NOW)).toBe(Number.POSITIVE_INFINITY);
  });

  it('malformed values are ignored: ordinary backoff', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    for (const header of ['', '  ', 'soon', '1.5', '-5', '5s', '2026-01-01', '1e3', '0x10', 'Thu, 99 Foo']) {
      expect(retryDelay({ baseDelayMs: 100 }, 0, header, NOW), JSON.stringify(header)).toBe(50);
    }
  });

  it('no more attempts: undefined, whatever the Retry-After', () => {
    expect(retryDelay({ attempts: 2 }, 1, '0', NOW)).toBeUndefined();
  });

  it('retryAfterMs: milliseconds to wait, or undefined for a value that is not one', () => {
    expect(retryAfterMs('12', NOW)).toBe(12_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 12:01:00 GMT', NOW)).toBe(60_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 11:00:00 GMT', NOW)).toBe(0);
    expect(retryAfterMs(null, NOW)).toBeUndefined();
    expect(retryAfterMs('later', NOW)).toBeUndefined();
  });
});

describe('sleep', () => {
  it('resolves after the time', async () => {
    vi.useFakeTimers();
    try {
      let done = false;
      const waiting = sleep(1_000).then(() => {
        done = true;
      });
      await vi.advanceTimersByTimeAsync(999);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await waiting;
      expect(done).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects with the reason as soon as the signal aborts, or at once when it already has', async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await expect(sleep(60_000, AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});
