import { LayerkitError } from '@layerkit/digest';
import { createHistoryEntry, parseSourceDateEpoch, sourceDateEpochFromEnv } from '@layerkit/history';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createRfc3339Formatter,
  formatRfc3339Utc,
  parseRfc3339Seconds,
} from '../../../packages/history/src/rfc3339.js';
import { checkProperty } from '../../fixtures/property.js';

/** History's errors are LayerkitErrors like every other package's. */
function expectHistoryError(run: () => unknown, code: string) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(LayerkitError);
    expect((error as LayerkitError).code).toBe(code);
    return error as LayerkitError;
  }
  throw new Error(`expected LayerkitError ${code}`);
}

describe('SOURCE_DATE_EPOCH', () => {
  it('accepts whole non-negative seconds as string or number', () => {
    expect(parseSourceDateEpoch('1700000000')).toBe(1700000000);
    expect(parseSourceDateEpoch('0')).toBe(0);
    expect(parseSourceDateEpoch('0042')).toBe(42);
    expect(parseSourceDateEpoch(1700000000)).toBe(1700000000);
    expect(parseSourceDateEpoch('253402300799')).toBe(253402300799);
  });

  it.each(['', ' 1', '1 ', '-1', '+1', '1.5', '1e9', '0x10', 'abc', '253402300800', '99999999999999999999'])(
    'rejects %j with INVALID_SOURCE_DATE_EPOCH naming the value',
    (value) => {
      const error = expectHistoryError(() => parseSourceDateEpoch(value), 'INVALID_SOURCE_DATE_EPOCH');
      expect(error.message).toContain(JSON.stringify(value));
      expect(error.details).toEqual({ value });
    },
  );

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects the number %d', (value) => {
    expectHistoryError(() => parseSourceDateEpoch(value), 'INVALID_SOURCE_DATE_EPOCH');
  });

  it('reads the environment: unset and empty mean unset', () => {
    expect(sourceDateEpochFromEnv({})).toBeUndefined();
    expect(sourceDateEpochFromEnv({ SOURCE_DATE_EPOCH: '' })).toBeUndefined();
    expect(sourceDateEpochFromEnv({ SOURCE_DATE_EPOCH: '1700000000' })).toBe(1700000000);
    expectHistoryError(
      () => sourceDateEpochFromEnv({ SOURCE_DATE_EPOCH: 'now' }),
      'INVALID_SOURCE_DATE_EPOCH',
    );
  });
});

describe('createHistoryEntry', () => {
  const clock = () => new Date(Date.UTC(2024, 5, 1, 12, 30, 45, 120));

  it('takes created from SOURCE_DATE_EPOCH with no fraction, winning over the clock', () => {
    expect(createHistoryEntry({ sourceDateEpoch: '1700000000', clock })).toEqual({
      created: '2023-11-14T22:13:20Z',
    });
    expect(createHistoryEntry({ sourceDateEpoch: 0 }).created).toBe('1970-01-01T00:00:00Z');
  });

  it('takes created from the clock, Go style (fraction without trailing zeros, none when zero)', () => {
    expect(createHistoryEntry({ clock }).created).toBe('2024-06-01T12:30:45.12Z');
    expect(createHistoryEntry({ clock: () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) }).created).toBe(
      '2024-01-02T03:04:05Z',
    );
    const before = Date.now();
    const created = Date.parse(createHistoryEntry().created!);
    expect(created).toBeGreaterThanOrEqual(before);
    expect(created).toBeLessThanOrEqual(Date.now());
  });

  it('writes the spec field names and omits empty values like Go omitempty', () => {
    const entry = createHistoryEntry({
      createdBy: 'nginx -g daemon off;',
      author: 'Tao Wang <twang2218@gmail.com>',
      comment: '修改了默认网页',
      emptyLayer: false,
      sourceDateEpoch: 1700000000,
    });
    expect(JSON.stringify(entry)).toBe(
      '{"created":"2023-11-14T22:13:20Z","created_by":"nginx -g daemon off;","author":"Tao Wang <twang2218@gmail.com>","comment":"修改了默认网页"}',
    );
    expect(createHistoryEntry({ emptyLayer: true, comment: '', createdBy: '', sourceDateEpoch: 1 })).toEqual({
      created: '1970-01-01T00:00:01Z',
      empty_layer: true,
    });
  });

  it('rejects a clock that returns an invalid or out-of-range date', () => {
    expectHistoryError(() => createHistoryEntry({ clock: () => new Date(Number.NaN) }), 'INVALID_TIME');
    expectHistoryError(
      () => createHistoryEntry({ clock: () => new Date(Date.UTC(10000, 0, 1)) }),
      'INVALID_TIME',
    );
    expectHistoryError(() => createHistoryEntry({ sourceDateEpoch: 'x' }), 'INVALID_SOURCE_DATE_EPOCH');
  });
});

describe('RFC 3339', () => {
  it.each([
    ['2023-11-14T22:13:20Z', 1700000000],
    ['2015-10-31T22:22:56.015925234Z', 1446330176],
    ['2023-11-15T06:13:20+08:00', 1700000000],
    ['2023-11-14T17:13:20-05:00', 1700000000],
    ['1970-01-01T00:00:00Z', 0],
    ['1969-12-31T23:59:59.5Z', -1],
    ['0001-01-01T00:00:00Z', -62135596800],
    ['2024-02-29T00:00:00Z', 1709164800],
  ])('parses %s as Unix second %d', (text, seconds) => {
    expect(parseRfc3339Seconds(text)).toBe(seconds);
  });

  it.each([
    '',
    '2023-11-14',
    '2023-11-14 22:13:20Z',
    '2023-11-14t22:13:20Z',
    '2023-11-14T22:13:20z',
    '2023-11-14T22:13:20',
    '2023-02-29T00:00:00Z',
    '2023-13-01T00:00:00Z',
    '2023-11-14T24:00:00Z',
    '2023-11-14T22:60:00Z',
    '2023-11-14T22:13:60Z',
    '2023-11-14T22:13:20+24:00',
    '2023-11-14T22:13:20.Z',
    'Tue, 14 Nov 2023 22:13:20 GMT',
  ])('rejects %j', (text) => {
    expect(parseRfc3339Seconds(text)).toBeUndefined();
  });

  it('formats UTC and zoned times like Go time.RFC3339', () => {
    expect(formatRfc3339Utc(1700000000000)).toBe('2023-11-14T22:13:20Z');
    expect(formatRfc3339Utc(1700000000500)).toBe('2023-11-14T22:13:20.5Z');
    expect(formatRfc3339Utc(-62135596800000)).toBe('0001-01-01T00:00:00Z');
    expect(createRfc3339Formatter()(1483272003)).toBe('2017-01-01T12:00:03Z');
    expect(createRfc3339Formatter('Asia/Shanghai')(1700000000)).toBe('2023-11-15T06:13:20+08:00');
    expect(createRfc3339Formatter('America/New_York')(1700000000)).toBe('2023-11-14T17:13:20-05:00');
    expect(createRfc3339Formatter('America/New_York')(1688000000)).toBe('2023-06-28T20:53:20-04:00');
    expect(createRfc3339Formatter('Asia/Kolkata')(0)).toBe('1970-01-01T05:30:00+05:30');
    expect(createRfc3339Formatter('Europe/London')(1700000000)).toBe('2023-11-14T22:13:20Z');
    expectHistoryError(() => createRfc3339Formatter('Mars/Olympus'), 'INVALID_TIME_ZONE');
  });

  it('round-trips every second of years 1–9999 through format and parse', async () => {
    const formatUtc = createRfc3339Formatter('UTC');
    await checkProperty(
      fc.property(fc.integer({ min: -62135596800, max: 253402300799 }), (seconds) => {
        expect(parseRfc3339Seconds(formatUtc(seconds))).toBe(seconds);
        expect(parseRfc3339Seconds(formatRfc3339Utc(seconds * 1000))).toBe(seconds);
      }),
    );
  });
});
