import { canonicalJson } from '@layerkit/image';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonSizeLimits, parseJsonStrict } from '../../../../packages/image/src/json/strict-parse.js';
import { cpuTimed } from '../../../fixtures/bounded-work.js';
import { errorOf } from '../../../fixtures/error-of.js';
import { checkProperty } from '../../../fixtures/property.js';

const enc = new TextEncoder();
const parse = (input: string | Uint8Array, maxBytes = 1 << 20) =>
  parseJsonStrict(typeof input === 'string' ? enc.encode(input) : input, { maxBytes, what: 'manifest x' });

describe('parseJsonStrict', () => {
  it('parses every JSON form', () => {
    expect(
      parse(
        ' {"a":[1,-2,3.5,1e3,0,-0.5E-2,true,false,null,"x\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00"]}\n',
      ),
    ).toEqual({
      a: [1, -2, 3.5, 1000, 0, -0.005, true, false, null, 'x"\\/\b\f\n\r\té😀'],
    });
    expect(parse('"é"')).toBe('é');
    expect(parse('[]')).toEqual([]);
    expect(parse('{}')).toEqual({});
  });

  it('parses integers beyond 2^53 as unsafe numbers, for validators to reject', () => {
    const value = parse('{"size":9007199254740993,"big":123456789012345678901234567890}') as Record<
      string,
      number
    >;
    expect(Number.isSafeInteger(value.size)).toBe(false);
    expect(value.big).toBe(1.2345678901234568e29);
  });

  it('keeps __proto__ as an ordinary key, like JSON.parse', () => {
    const value = parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['{"digest":"a","digest":"b"}', 'duplicate key "digest"', 14],
    ['{"a":{"b":1,"b":2}}', 'duplicate key "b"', 12],
    ['[{"x":1},{"x":1,"x":1}]', 'duplicate key "x"', 16],
    ['{"a":1,"\\u0061":2}', 'duplicate key "a"', 7],
    ['[1e400]', 'out of range', 1],
    ['[NaN]', "unexpected 'N'", 1],
    ['[Infinity]', "unexpected 'I'", 1],
    ['[01]', "expected ',' or ']'", 2],
    ['[1.]', 'expected a digit', 3],
    ['[.5]', "unexpected '.'", 1],
    ['[+1]', "unexpected '+'", 1],
    ['{"a":1,}', 'expected a string key', 7],
    ['[1,]', "unexpected ']'", 3],
    ["{'a':1}", 'expected a string key', 1],
    ['{"a" 1}', "expected ':'", 5],
    ['"\t"', 'control character', 1],
    ['"\\x"', 'invalid escape', 2],
    ['"\\u12"', 'invalid \\u escape', 3],
    ['"\\ud800"', 'lone high surrogate', 7],
    ['"\\udc00"', 'lone low surrogate', 7],
    ['"abc', 'unterminated string', 4],
    ['{"a":1} {}', 'after the document', 8],
    ['', 'end of input', 0],
    ['tru', "unexpected 't'", 0],
    ['\uFEFF{}', 'U+FEFF', 0],
    ['{"é":1,"é":2}', 'duplicate key', 8],
  ])('rejects %j (%s at byte %i)', (input, reason, offset) => {
    const error = errorOf(() => parse(input));
    expect(error.code).toBe('INVALID_JSON');
    expect(error.message).toContain('manifest x');
    expect(error.message).toContain(reason);
    expect(error.details.offset).toBe(offset);
  });

  it('rejects invalid UTF-8 and names the offset of the first bad byte', () => {
    for (const [bytes, offset] of [
      [[0x22, 0xc3, 0x28, 0x22], 1], // bad continuation
      [[0x22, 0x41, 0xc0, 0xaf, 0x22], 2], // overlong '/'
      [[0x22, 0xed, 0xa0, 0x80, 0x22], 1], // encoded surrogate
      [[0x22, 0xf4, 0x90, 0x80, 0x80, 0x22], 1], // above U+10FFFF
      [[0x22, 0xe2, 0x82], 1], // truncated
    ] as const) {
      const error = errorOf(() => parse(Uint8Array.from(bytes)));
      expect(error.code).toBe('INVALID_JSON');
      expect(error.message).toContain('UTF-8');
      expect(error.details.offset).toBe(offset);
    }
  });

  it('checks the size cap before anything else (R3)', () => {
    const error = errorOf(() => parse('{"a":1}garbage-that-is-never-parsed', 10));
    expect(error.code).toBe('JSON_TOO_LARGE');
    expect(error.details).toMatchObject({ size: 35, limit: 10 });
    expect(parse('{"a":1}', 7)).toEqual({ a: 1 });
  });

  it('documents its size limits per document kind', () => {
    expect(JsonSizeLimits).toEqual({
      manifest: 4 * 1024 * 1024,
      index: 4 * 1024 * 1024,
      config: 20 * 1024 * 1024,
      layoutHeader: 64 * 1024,
    });
  });

  it('caps nesting depth instead of overflowing the stack', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const error = errorOf(() => parse(deep));
    expect(error.message).toContain('nesting deeper than 64');
    expect(parse(`${'['.repeat(64)}${']'.repeat(64)}`)).toBeInstanceOf(Array);
    const opts = { maxBytes: 1 << 20, what: 'x', maxDepth: 3 };
    expect(() => parseJsonStrict(enc.encode('[[[[]]]]'), opts)).toThrow(/nesting deeper than 3/);
  });

  it('property: agrees with JSON.parse on any JSON.stringify output without duplicate keys', async () => {
    await checkProperty(
      fc.property(fc.jsonValue(), (value) => {
        const json = JSON.stringify(value);
        expect(parse(json)).toStrictEqual(JSON.parse(json));
      }),
      { numRuns: 300 },
    );
  });

  it('property: rejects any object with a duplicated key at any depth', async () => {
    const key = fc.string({ maxLength: 4 });
    await checkProperty(
      fc.property(
        fc.dictionary(key, fc.jsonValue({ maxDepth: 1 }), { minKeys: 1, maxKeys: 4 }),
        fc.nat(),
        fc.integer({ min: 0, max: 4 }),
        fc.jsonValue({ maxDepth: 1 }),
        (dict, pick, depth, dupValue) => {
          const keys = Object.keys(dict);
          const dupKey = keys[pick % keys.length]!;
          // Serialize, then append the duplicate member before the closing brace.
          const body = JSON.stringify(dict);
          let doc = `${body.slice(0, -1)},${JSON.stringify(dupKey)}:${JSON.stringify(dupValue)}}`;
          for (let i = 0; i < depth; i++) doc = i % 2 ? `[0,${doc}]` : `{"k${i}":${doc}}`;
          const error = errorOf(() => parse(doc));
          expect(error.code).toBe('INVALID_JSON');
          expect(error.message).toContain(`duplicate key ${JSON.stringify(dupKey)}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('parses a 4 MiB document quickly', () => {
    const entries = Array.from({ length: 19_000 }, (_, i) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: `sha256:${i.toString(16).padStart(64, '0')}`,
      size: i,
      annotations: { 'org.opencontainers.image.ref.name': `tag-${i}` },
    }));
    const bytes = canonicalJson({ schemaVersion: 2, manifests: entries });
    expect(bytes.length).toBeLessThan(JsonSizeLimits.index);
    // CPU time, not wall time: a loaded machine stretches the latter (see bounded-work.ts).
    const { result: value, cpuMs } = cpuTimed(() =>
      parseJsonStrict(bytes, { maxBytes: JsonSizeLimits.index, what: 'index' }),
    );
    expect((value as { manifests: unknown[] }).manifests).toHaveLength(19_000);
    expect(cpuMs).toBeLessThan(2000);
  });
});
