/**
 * `WWW-Authenticate` parsing (RFC 7235): several challenges in one header, quoted strings with
 * escapes and commas, odd spacing, case, token68 credentials — and, whatever the header, a
 * result rather than an exception or a hang.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Challenge, parseChallenges } from '../../../../packages/registry/src/auth/challenge.js';
import { checkProperty } from '../../../fixtures/property.js';

describe('parseChallenges', () => {
  it('a registry Bearer challenge', () => {
    expect(
      parseChallenges(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/nginx:pull',
        },
      },
    ]);
  });

  it('Basic, and schemes and parameter names in any case', () => {
    expect(parseChallenges('Basic realm="Registry Realm"')).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
    ]);
    expect(parseChallenges('BEARER Realm="r", SERVICE=s')).toEqual([
      { scheme: 'bearer', params: { realm: 'r', service: 's' } },
    ]);
  });

  it('several challenges in one header', () => {
    expect(parseChallenges('Basic realm="b", Bearer realm="https://t/x",service="s", Negotiate')).toEqual([
      { scheme: 'basic', params: { realm: 'b' } },
      { scheme: 'bearer', params: { realm: 'https://t/x', service: 's' } },
      { scheme: 'negotiate', params: {} },
    ]);
  });

  it('quoted strings: escaped quotes and backslashes, commas and equals signs inside', () => {
    expect(
      parseChallenges(String.raw`Bearer realm="a\"b\\c",scope="repository:a/b:pull,push",service="x=y, z"`),
    ).toEqual([
      { scheme: 'bearer', params: { realm: 'a"b\\c', scope: 'repository:a/b:pull,push', service: 'x=y, z' } },
    ]);
  });

  it('odd spacing and empty list elements', () => {
    expect(parseChallenges('  ,, Bearer   realm = "r" ,  , service= s ,scope ="x"  ,')).toEqual([
      { scheme: 'bearer', params: { realm: 'r', service: 's', scope: 'x' } },
    ]);
    expect(parseChallenges('Bearer\trealm="r"')).toEqual([{ scheme: 'bearer', params: { realm: 'r' } }]);
  });

  it('token68 credentials (Negotiate, NTLM) do not hide the challenges after them', () => {
    expect(parseChallenges('Negotiate YIIBhg==, Bearer realm="https://t/x"')).toEqual([
      { scheme: 'negotiate', params: {} },
      { scheme: 'bearer', params: { realm: 'https://t/x' } },
    ]);
    expect(parseChallenges('NTLM, Negotiate abc/+_~-.def=, Basic realm="x"').map((c) => c.scheme)).toEqual([
      'ntlm',
      'negotiate',
      'basic',
    ]);
  });

  it('an empty header, or nothing but separators: no challenge', () => {
    expect(parseChallenges('')).toEqual([]);
    expect(parseChallenges(' , ,\t')).toEqual([]);
  });

  it('malformed parts end the parse without inventing values', () => {
    // Unterminated quoted string.
    const unterminated = parseChallenges('Bearer realm="https://t/x, Basic realm="y"');
    expect(unterminated[0]!.scheme).toBe('bearer');
    expect(unterminated[0]!.params.realm).not.toBe('https://t/x');
    // A realm that should have been quoted keeps only its token part, as in Docker.
    expect(parseChallenges('Bearer realm=https://t/x').at(0)?.params.realm).toBe('https');
    expect(parseChallenges('"quoted-scheme" realm=x')).toEqual([]);
  });

  it('a later duplicate parameter wins', () => {
    expect(parseChallenges('Bearer realm="a",realm="b"')[0]!.params.realm).toBe('b');
  });
});

const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split('');
const token = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 12 });
const lowerToken = token.map((text) => text.toLowerCase());
/** Header-safe text for quoted values: visible ASCII, space and tab (quotes and backslashes included). */
const value = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).chain((code) => fc.constant(String.fromCharCode(code))),
  maxLength: 30,
});
const challenge: fc.Arbitrary<Challenge> = fc.record({
  scheme: lowerToken,
  params: fc.dictionary(lowerToken, value, { maxKeys: 4 }),
});
const space = fc.constantFrom('', ' ', '  ', '\t');

function format(challenges: Challenge[], sp: string[]): string {
  const s = (i: number) => sp[i % sp.length] ?? '';
  return challenges
    .map(({ scheme, params }, i) => {
      const rendered = Object.entries(params).map(
        ([name, text], j) => `${name}${s(i + j)}=${s(j)}"${text.replace(/["\\]/g, '\\$&')}"`,
      );
      return `${scheme.toUpperCase()}${rendered.length > 0 ? ' ' : ''}${rendered.join(`${s(i)},${s(i + 1)}`)}`;
    })
    .join(', ');
}

describe('properties', () => {
  it('formatted challenges parse back to what was formatted', async () => {
    await checkProperty(
      fc.property(
        fc.array(challenge, { maxLength: 4 }),
        fc.array(space, { minLength: 1 }),
        (challenges, sp) => {
          // Objects with a `__proto__` key cannot hold it as a plain entry; the parser uses plain objects.
          fc.pre(challenges.every((c) => !('__proto__' in Object.getOwnPropertyDescriptors(c.params))));
          expect(parseChallenges(format(challenges, sp))).toEqual(challenges);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws and always ends, whatever the header', async () => {
    const header = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: fc.constantFrom(...'Bearer realm="\\, =\t'.split('')), maxLength: 80 }),
      fc.array(challenge, { maxLength: 3 }).map((list) => format(list, [' '])),
    );
    await checkProperty(
      fc.property(header, (text) => {
        const parsed = parseChallenges(text);
        for (const { scheme, params } of parsed) {
          expect(scheme).toBe(scheme.toLowerCase());
          expect(scheme).toMatch(/^[!#$%&'*+\-.^_`|~0-9a-z]+$/);
          for (const name of Object.keys(params)) expect(name).toBe(name.toLowerCase());
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('is linear enough on long hostile headers', () => {
    const long = `Bearer ${'a="\\'.repeat(20_000)}`;
    const commas = `Bearer ${', '.repeat(50_000)}realm="x"`;
    expect(() => parseChallenges(long)).not.toThrow();
    expect(parseChallenges(commas)[0]!.params.realm).toBe('x');
  });
});
