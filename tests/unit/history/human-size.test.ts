import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatGoG } from '../../../packages/history/src/go-format-g.js';
import { humanSizeWithPrecision } from '../../../packages/history/src/human-size.js';
import { checkProperty } from '../../fixtures/property.js';

describe('humanSizeWithPrecision (go-units HumanSizeWithPrecision(size, 3))', () => {
  it.each([
    [0, '0B'],
    [1, '1B'],
    [999, '999B'],
    [1000, '1kB'],
    [1001, '1kB'],
    [1234567, '1.23MB'],
    [8460000, '8.46MB'],
    [182964289, '183MB'],
    [999499, '999kB'],
    [999500, '1e+03kB'],
    [999999, '1e+03kB'],
    [1000000, '1MB'],
    [1e9, '1GB'],
    [1.5e12, '1.5TB'],
    [1e15, '1PB'],
    [1e18, '1EB'],
    [1e21, '1ZB'],
    [1e24, '1YB'],
    [1e27, '1e+03YB'],
    [1e30, '1e+06YB'],
  ])('%d → %s', (size, expected) => {
    expect(humanSizeWithPrecision(size, 3)).toBe(expected);
  });

  it('rounds exact ties to even like Go strconv, not half-up like toPrecision', () => {
    // 1125/1000 = 1.125 and 100500/1000 = 100.5 are exact binary values: Go keeps the even digit.
    expect(humanSizeWithPrecision(1125, 3)).toBe('1.12kB');
    expect(humanSizeWithPrecision(1135, 3)).toBe('1.14kB');
    expect(humanSizeWithPrecision(100500, 3)).toBe('100kB');
    expect(humanSizeWithPrecision(101500, 3)).toBe('102kB');
    expect((1.125).toPrecision(3)).toBe('1.13');
  });

  it('uses the default precision of 3', () => {
    expect(humanSizeWithPrecision(1234567)).toBe('1.23MB');
  });

  it('is always at most 3 significant digits plus a unit (or the 1e+03 quirk)', async () => {
    await checkProperty(
      fc.property(fc.maxSafeNat(), (size) => {
        expect(humanSizeWithPrecision(size, 3)).toMatch(
          /^(?:\d{1,3}|\d\.\d{1,2}|\d\d\.\d|1e\+03)(?:B|kB|MB|GB|TB|PB)$/,
        );
      }),
    );
  });
});

describe('formatGoG (fmt %.*g)', () => {
  it.each([
    [0, 3, '0'],
    [-0, 3, '-0'],
    [1, 3, '1'],
    [0.0001, 3, '0.0001'],
    [0.00001, 3, '1e-05'],
    [123456, 3, '1.23e+05'],
    [123456, 6, '123456'],
    [999.5, 3, '1e+03'],
    [99.95, 3, '100'],
    [1.5, 3, '1.5'],
    [-2.5, 1, '-2'],
    [3.5, 1, '4'],
    [1e100, 3, '1e+100'],
    [5e-324, 3, '4.94e-324'],
    [Number.NaN, 3, 'NaN'],
    [Number.POSITIVE_INFINITY, 3, '+Inf'],
    [Number.NEGATIVE_INFINITY, 3, '-Inf'],
    [2.5, 0, '2'],
  ])('%%.%dg of %d', (value, precision, expected) => {
    expect(formatGoG(value, precision)).toBe(expected);
  });

  it('agrees with toPrecision wherever the value is not an exact decimal tie', async () => {
    await checkProperty(
      fc.property(fc.double({ min: 1, max: 999.9, noNaN: true }), (value) => {
        const [mantissa = ''] = value.toExponential(20).split('e');
        fc.pre(!/^\d\.\d\d50+$/.test(mantissa));
        // toPrecision rounds half up; away from ties both must produce the same number.
        expect(Number(formatGoG(value, 3))).toBe(Number(value.toPrecision(3)));
      }),
    );
  });
});
