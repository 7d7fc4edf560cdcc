/**
 * A strict JSON parser for untrusted image documents. `JSON.parse` is not enough: it silently keeps
 * the last of two duplicate keys (R10: `{"digest":"good","digest":"evil"}` means different things
 * to different tools), accepts unbounded input (R3) and loses integer precision without a word.
 * Threat ids (Rn) are those of docs/threat-model.md#read.
 */
import { LayerkitError } from '@layerkit/digest';
import type { JsonObject, JsonValue } from './json-value.js';

const MiB = 1024 * 1024;

/**
 * Size caps per document kind (R3), checked before a single byte is parsed.
 * Manifests and indexes: 4 MiB, like containerd's registry `MaxManifestSize` (registries cap
 * manifests at about 4 MB too). Configs: 20 MiB, containerd's importer `jsonLimit`
 * (CVE-2023-25153); configs of images with long histories and many labels are the largest
 * documents. The `oci-layout` header is a one-field object.
 */
export const JsonSizeLimits = {
  manifest: 4 * MiB,
  index: 4 * MiB,
  config: 20 * MiB,
  layoutHeader: 64 * 1024,
} as const;

/** Options of {@link parseJsonStrict}. */
export interface StrictJsonOptions {
  /** Input longer than this is rejected before parsing (`JSON_TOO_LARGE`). */
  maxBytes: number;
  /** What the document is, for messages: e.g. `manifest sha256:…` or `index.json`. */
  what: string;
  /** Deepest nesting of arrays and objects; default 64 (OCI documents nest about 5 deep). */
  maxDepth?: number | undefined;
}

const DEFAULT_MAX_DEPTH = 64;
// ignoreBOM keeps a leading U+FEFF in the text, so the parser rejects it as Go's decoder does.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/**
 * Parses untrusted JSON bytes (RFC 8259 with the I-JSON restrictions of RFC 7493):
 * the size cap first, then UTF-8 validity, then the grammar. Rejects duplicate keys at any depth
 * (compared after unescaping), numbers that overflow to ±Infinity, escaped lone surrogates, a
 * byte-order mark and anything after the document. Numbers are IEEE doubles as in `JSON.parse`:
 * an integer literal beyond ±(2^53−1) comes back as a value that is not `Number.isSafeInteger`,
 * which is how the validators reject imprecise sizes (R10) while unknown fields holding big
 * numbers stay harmless. Objects are plain objects; a `__proto__` key is an ordinary own
 * property. Errors: `JSON_TOO_LARGE`, or `INVALID_JSON` naming `what` and the byte offset.
 */
export function parseJsonStrict(bytes: Uint8Array, options: StrictJsonOptions): JsonValue {
  const { maxBytes, what } = options;
  checkJsonSize(bytes.length, maxBytes, what);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    throw invalid(what, offset, 'not valid UTF-8');
  }
  return new Parser(text, what, options.maxDepth ?? DEFAULT_MAX_DEPTH).document();
}

/** Throws `JSON_TOO_LARGE` when a document of `size` bytes is over `maxBytes` (R3: check before reading or hashing). */
export function checkJsonSize(size: number, maxBytes: number, what: string): void {
  if (size > maxBytes) {
    throw new LayerkitError('JSON_TOO_LARGE', `${what} is ${size} bytes, over the ${maxBytes}-byte limit`, {
      what,
      size,
      limit: maxBytes,
    });
  }
}

class Parser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly what: string,
    private readonly maxDepth: number,
  ) {}

  document(): JsonValue {
    this.skipWhitespace();
    const value = this.value(0);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail('unexpected data after the document');
    return value;
  }

  private value(depth: number): JsonValue {
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x7b /* { */:
        return this.object(depth + 1);
      case 0x5b /* [ */:
        return this.array(depth + 1);
      case 0x22 /* " */:
        return this.string();
      case 0x74 /* t */:
        return this.literal('true', true);
      case 0x66 /* f */:
        return this.literal('false', false);
      case 0x6e /* n */:
        return this.literal('null', null);
      default:
        if (c === 0x2d || isDigit(c)) return this.number();
        return this.fail(Number.isNaN(c) ? 'unexpected end of input' : `unexpected ${this.describeChar()}`);
    }
  }

  private object(depth: number): JsonObject {
    this.checkDepth(depth);
    this.pos++;
    const object: JsonObject = {};
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x7d /* } */) {
      this.pos++;
      return object;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 0x22)
        this.fail(`expected a string key, found ${this.describeChar()}`);
      const keyStart = this.pos;
      const key = this.string();
      if (Object.hasOwn(object, key)) {
        this.pos = keyStart;
        this.fail(`duplicate key ${JSON.stringify(key)}`);
      }
      this.skipWhitespace();
      this.expect(0x3a /* : */, "':'");
      this.skipWhitespace();
      const value = this.value(depth);
      // A plain assignment to "__proto__" would replace the prototype instead of adding a key.
      Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      const next = this.text.charCodeAt(this.pos++);
      if (next === 0x7d /* } */) return object;
      if (next !== 0x2c /* , */) {
        this.pos--;
        this.fail(`expected ',' or '}', found ${this.describeChar()}`);
      }
    }
  }

  private array(depth: number): JsonValue[] {
    this.checkDepth(depth);
    this.pos++;
    const array: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x5d /* ] */) {
      this.pos++;
      return array;
    }
    for (;;) {
      this.skipWhitespace();
      array.push(this.value(depth));
      this.skipWhitespace();
      const next = this.text.charCodeAt(this.pos++);
      if (next === 0x5d /* ] */) return array;
      if (next !== 0x2c /* , */) {
        this.pos--;
        this.fail(`expected ',' or ']', found ${this.describeChar()}`);
      }
    }
  }

  private string(): string {
    const { text } = this;
    this.pos++;
    let out = '';
    let chunkStart = this.pos;
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (c === 0x22 /* " */) {
        out += text.slice(chunkStart, this.pos);
        this.pos++;
        return out;
      }
      if (c === 0x5c /* \ */) {
        out += text.slice(chunkStart, this.pos);
        this.pos++;
        out += this.escape();
        chunkStart = this.pos;
      } else if (Number.isNaN(c)) {
        this.fail('unterminated string');
      } else if (c < 0x20) {
        this.fail('unescaped control character in string');
      } else {
        this.pos++;
      }
    }
  }

  private escape(): string {
    const c = this.text[this.pos++];
    switch (c) {
      case '"':
      case '\\':
      case '/':
        return c;
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u': {
        const unit = this.hex4();
        if (unit >= 0xdc00 && unit <= 0xdfff) this.fail('escaped lone low surrogate');
        if (unit < 0xd800 || unit > 0xdbff) return String.fromCharCode(unit);
        if (this.text.startsWith('\\u', this.pos)) {
          this.pos += 2;
          const low = this.hex4();
          if (low >= 0xdc00 && low <= 0xdfff) return String.fromCharCode(unit, low);
        }
        return this.fail('escaped lone high surrogate');
      }
      default:
        this.pos--;
        return this.fail(`invalid escape ${this.describeChar()}`);
    }
  }

  private hex4(): number {
    const digits = this.text.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) this.fail('invalid \\u escape');
    this.pos += 4;
    return Number.parseInt(digits, 16);
  }

  private number(): number {
    const { text } = this;
    const start = this.pos;
    if (text.charCodeAt(this.pos) === 0x2d /* - */) this.pos++;
    if (text.charCodeAt(this.pos) === 0x30 /* 0 */) {
      this.pos++;
    } else {
      this.digits();
    }
    if (text.charCodeAt(this.pos) === 0x2e /* . */) {
      this.pos++;
      this.digits();
    }
    const e = text.charCodeAt(this.pos);
    if (e === 0x65 || e === 0x45 /* e E */) {
      this.pos++;
      const sign = text.charCodeAt(this.pos);
      if (sign === 0x2b || sign === 0x2d) this.pos++;
      this.digits();
    }
    const value = Number(text.slice(start, this.pos));
    if (!Number.isFinite(value)) this.failAt(start, 'number out of range');
    return value;
  }

  /** One or more decimal digits. */
  private digits(): void {
    if (!isDigit(this.text.charCodeAt(this.pos))) this.fail(`expected a digit, found ${this.describeChar()}`);
    do this.pos++;
    while (isDigit(this.text.charCodeAt(this.pos)));
  }

  private literal<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(`unexpected ${this.describeChar()}`);
    this.pos += word.length;
    return value;
  }

  private expect(char: number, name: string): void {
    if (this.text.charCodeAt(this.pos) !== char) this.fail(`expected ${name}, found ${this.describeChar()}`);
    this.pos++;
  }

  private skipWhitespace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  private checkDepth(depth: number): void {
    if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth}`);
  }

  private describeChar(): string {
    const c = this.text.codePointAt(this.pos);
    if (c === undefined) return 'end of input';
    return c >= 0x20 && c < 0x7f
      ? `'${String.fromCharCode(c)}'`
      : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  }

  private fail(reason: string): never {
    return this.failAt(this.pos, reason);
  }

  private failAt(pos: number, reason: string): never {
    throw invalid(this.what, encoder.encode(this.text.slice(0, pos)).length, reason);
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function invalid(what: string, offset: number, reason: string): LayerkitError {
  return new LayerkitError('INVALID_JSON', `invalid JSON in ${what} at byte ${offset}: ${reason}`, {
    what,
    offset,
  });
}

/** The offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    let trail: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead < 0x80) trail = 0;
    else if (lead >= 0xc2 && lead <= 0xdf) trail = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      trail = 2;
      if (lead === 0xe0) low = 0xa0; // overlong
      if (lead === 0xed) high = 0x9f; // surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      trail = 3;
      if (lead === 0xf0) low = 0x90; // overlong
      if (lead === 0xf4) high = 0x8f; // above U+10FFFF
    } else return i;
    for (let k = 1; k <= trail; k++) {
      const byte = bytes[i + k];
      if (byte === undefined || byte < (k === 1 ? low : 0x80) || byte > (k === 1 ? high : 0xbf)) return i;
    }
    i += trail + 1;
  }
  return i;
}
