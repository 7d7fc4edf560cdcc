/**
 * Canonical JSON: the one serialization layerkit writes for configs, manifests and indexes, so the
 * same document always has the same bytes and therefore the same digest.
 */
import { LayerkitError } from '@layerkit/digest';

/** Options of {@link canonicalJson}. */
export interface CanonicalJsonOptions {
  /**
   * Escape `<`, `>`, `&`, U+2028 and U+2029 as `\u003c` … like Go's `encoding/json` does, for
   * byte-identical output with Go tools (Docker, containerd). Default `false`: the characters are
   * written as they are (shorter, and what `JSON.stringify` does); both forms are valid JSON.
   */
  goHtmlEscape?: boolean | undefined;
}

const encoder = new TextEncoder();
const loneSurrogate = /[\uD800-\uDFFF]/u;
const goHtmlChars = /[<>&\u2028\u2029]/g;

/**
 * Serializes a value to canonical JSON bytes (UTF-8):
 * - object keys sorted by Unicode code point, which is UTF-8 byte order and Go's map-key order
 *   (Docker writes configs that way); it differs from RFC 8785's UTF-16 order only for keys that
 *   mix characters above U+FFFF with U+E000–U+FFFF;
 * - compact: no whitespace, no trailing newline;
 * - properties whose value is `undefined` are dropped (optional fields left out);
 * - numbers must be finite, and integral ones safe integers (OCI's int64 fields: sizes,
 *   durations): a value beyond ±(2^53−1) is not the integer its writer meant. Fractions are
 *   written in the shortest round-trip form, which JavaScript and Go print identically.
 * Throws `LayerkitError('JSON_NOT_SERIALIZABLE')` for anything else (non-finite or unsafe numbers,
 * bigint, functions, class instances, `undefined` array items, cycles, lone surrogates).
 */
export function canonicalJson(value: unknown, options: CanonicalJsonOptions = {}): Uint8Array {
  const parts: string[] = [];
  write(value, parts, options.goHtmlEscape === true, [], '$');
  return encoder.encode(parts.join(''));
}

function write(value: unknown, out: string[], html: boolean, stack: object[], where: string): void {
  if (value === null) {
    out.push('null');
  } else if (typeof value === 'boolean') {
    out.push(value ? 'true' : 'false');
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(where, `number ${value} is not finite`);
    if (Number.isInteger(value) && !Number.isSafeInteger(value))
      fail(where, `integer ${value} is beyond ±(2^53−1)`);
    // -0 is a safe integer; String(-0) is "0", which is what we want.
    out.push(String(value));
  } else if (typeof value === 'string') {
    out.push(quote(value, html, where));
  } else if (Array.isArray(value)) {
    enter(value, stack, where);
    out.push('[');
    value.forEach((item: unknown, i) => {
      if (item === undefined) fail(`${where}[${i}]`, 'undefined array item');
      if (i > 0) out.push(',');
      write(item, out, html, stack, `${where}[${i}]`);
    });
    out.push(']');
    stack.pop();
  } else if (typeof value === 'object' && isPlainObject(value)) {
    enter(value, stack, where);
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort(compareCodePoints);
    out.push('{');
    keys.forEach((key, i) => {
      if (i > 0) out.push(',');
      out.push(quote(key, html, where), ':');
      write(record[key], out, html, stack, `${where}.${key}`);
    });
    out.push('}');
    stack.pop();
  } else {
    fail(where, `a ${describe(value)} is not JSON`);
  }
}

function quote(text: string, html: boolean, where: string): string {
  if (loneSurrogate.test(text)) fail(where, 'string holds a lone UTF-16 surrogate (not encodable as UTF-8)');
  const json = JSON.stringify(text);
  return html ? json.replace(goHtmlChars, goEscape) : json;
}

function goEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function enter(value: object, stack: object[], where: string): void {
  if (stack.includes(value)) fail(where, 'cyclic structure');
  stack.push(value);
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (typeof value !== 'object' || value === null) return typeof value;
  return value.constructor?.name ?? 'object';
}

/** Orders strings by code point (= UTF-8 byte order), not by UTF-16 code unit. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

// Surrogates (U+D800–DFFF) encode code points above U+FFFF, so they must rank above U+E000–FFFF.
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

function fail(where: string, reason: string): never {
  throw new LayerkitError('JSON_NOT_SERIALIZABLE', `cannot serialize ${where} as canonical JSON: ${reason}`, {
    where,
  });
}
