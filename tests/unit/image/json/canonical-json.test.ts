import { isLayerkitError, type LayerkitErrorCode, sha256Bytes } from '@layerkit/digest';
import { canonicalJson } from '@layerkit/image';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeDocument } from '../../../../packages/image/src/json/raw.js';
import { parseJsonStrict } from '../../../../packages/image/src/json/strict-parse.js';
import { checkProperty } from '../../../fixtures/property.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const parse = (bytes: Uint8Array) => parseJsonStrict(bytes, { maxBytes: 1 << 24, what: 'test' });

function expectCode(fn: () => unknown, code: LayerkitErrorCode): void {
  try {
    fn();
  } catch (error) {
    expect(isLayerkitError(error, code), String(error)).toBe(true);
    return;
  }
  expect.fail(`expected ${code}`);
}

/** JSON values canonicalJson accepts: finite numbers (integers safe), well-formed strings. */
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc
      .double({ noNaN: true, noDefaultInfinity: true })
      // -0 is written as 0 (tested below); integral doubles beyond 2^53 are rejected (tested above).
      .filter((x) => !Object.is(x, -0) && (!Number.isInteger(x) || Number.isSafeInteger(x))),
    fc.string({ unit: 'grapheme' }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: 'grapheme' }), tie('value'), { maxKeys: 5 }),
  ),
})).value;

describe('canonicalJson', () => {
  it('sorts keys, drops undefined, writes no whitespace and no trailing newline', () => {
    const bytes = canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined, A: { z: 0, y: -1 } });
    expect(text(bytes)).toBe('{"A":{"y":-1,"z":0},"a":[true,null,"x"],"b":1}');
  });

  it('orders keys by code point (UTF-8 bytes, as Go), not by UTF-16 unit', () => {
    // U+1F600 (surrogates D83D DE00) sorts after U+FF5E in code point order, before it in UTF-16 order.
    expect(text(canonicalJson({ '\u{1F600}': 1, '\uFF5E': 2, é: 3, z: 4 }))).toBe(
      '{"z":4,"é":3,"～":2,"\u{1F600}":1}',
    );
  });

  it('escapes like JSON.stringify by default and like Go with goHtmlEscape', () => {
    const value = { cmd: '<h1>&\u2028\u2029</h1>\n\t"\\\u0001' };
    expect(text(canonicalJson(value))).toBe(JSON.stringify(value));
    expect(text(canonicalJson(value, { goHtmlEscape: true }))).toBe(
      '{"cmd":"\\u003ch1\\u003e\\u0026\\u2028\\u2029\\u003c/h1\\u003e\\n\\t\\"\\\\\\u0001"}',
    );
  });

  it.each([
    ['an unsafe integer', { size: 2 ** 53 }],
    ['a huge integral double', { size: 1e300 }],
    ['NaN', { size: Number.NaN }],
    ['Infinity', [Number.POSITIVE_INFINITY]],
    ['a bigint', { size: 1n }],
    ['a Date', { created: new Date(0) }],
    ['an undefined array item', [undefined]],
    ['a function', { f: () => 1 }],
    ['a lone surrogate', { s: '\uD800' }],
    ['a lone surrogate key', { '\uDC00': 1 }],
  ])('rejects %s', (_name, value) => {
    expectCode(() => canonicalJson(value), 'JSON_NOT_SERIALIZABLE');
  });

  it('rejects cycles but accepts shared (acyclic) references', () => {
    const shared = { a: 1 };
    expect(text(canonicalJson({ x: shared, y: shared }))).toBe('{"x":{"a":1},"y":{"a":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expectCode(() => canonicalJson(cyclic), 'JSON_NOT_SERIALIZABLE');
  });

  it('writes numbers like Go: -0 as 0, fractions in shortest form, exponents from 1e21 and below 1e-6', () => {
    expect(text(canonicalJson([-0, 1.5, 0.000001, 1e-7, -2.5e-10, 9007199254740991]))).toBe(
      '[0,1.5,0.000001,1e-7,-2.5e-10,9007199254740991]',
    );
  });

  it('property: parses back to the same value, and re-serializes to the same bytes', async () => {
    await checkProperty(
      fc.property(jsonValue, fc.boolean(), (value, html) => {
        const bytes = canonicalJson(value, { goHtmlEscape: html });
        const parsed = parse(bytes);
        expect(parsed).toStrictEqual(JSON.parse(text(bytes)));
        expect(parsed).toEqual(value);
        expect(canonicalJson(parsed, { goHtmlEscape: html })).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('property: key insertion order does not change the bytes', async () => {
    await checkProperty(
      fc.property(fc.dictionary(fc.string(), fc.integer()), (dict) => {
        const reversed = Object.fromEntries(Object.entries(dict).reverse());
        expect(canonicalJson(reversed)).toEqual(canonicalJson(dict));
      }),
    );
  });

  it('encodeDocument returns the canonical bytes and their digest', () => {
    const raw = encodeDocument({ b: 1, a: '{}' });
    expect(text(raw.bytes)).toBe('{"a":"{}","b":1}');
    expect(raw.digest).toBe(sha256Bytes(raw.bytes));
    expect(encodeDocument({}).digest).toBe(
      'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
    );
  });
});
