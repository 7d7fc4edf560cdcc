/**
 * Decoding header fields: numbers (octal or GNU base-256), NUL-terminated strings, checksums.
 */
import type { BytePath } from '../contracts.js';
import { pathFromBytes } from '../path.js';
import { type TarPosition, tarError } from './tar-error.js';
import { FIELD } from './ustar-layout.js';

/** Which kind of numeric field is being decoded (for error messages). */
export type NumericField =
  | 'mode'
  | 'uid'
  | 'gid'
  | 'size'
  | 'mtime'
  | 'checksum'
  | 'devmajor'
  | 'devminor'
  | 'realsize'
  | 'sparse offset'
  | 'sparse length';

/**
 * Decodes a numeric field: GNU base-256 when the high bit of the first byte is set, else octal
 * surrounded by optional spaces/NULs (an all-blank field is 0). Throws `TAR_BAD_NUMBER` on other
 * bytes, `TAR_NUMBER_OVERFLOW` beyond 2^53, and `TAR_NEGATIVE_NUMBER` for negative values unless
 * `allowNegative` (only mtime may precede 1970).
 */
export function decodeNumber(
  block: Uint8Array,
  [offset, length]: readonly [number, number],
  field: NumericField,
  allowNegative: boolean,
  at: TarPosition,
): number {
  const bytes = block.subarray(offset, offset + length);
  const value = bytes[0]! & 0x80 ? decodeBase256(bytes) : decodeOctal(bytes);
  if (Number.isNaN(value)) {
    const text = JSON.stringify(decodeString(bytes, 0, length));
    throw tarError('TAR_BAD_NUMBER', `invalid octal ${field} field ${text}`, at);
  }
  if (Math.abs(value) > Number.MAX_SAFE_INTEGER)
    throw tarError('TAR_NUMBER_OVERFLOW', `${field} is too large`, at);
  if (value < 0 && !allowNegative) throw tarError('TAR_NEGATIVE_NUMBER', `negative ${field} ${value}`, at);
  return value;
}

// Octal digits between optional leading blanks and a NUL/space terminator; NaN when malformed.
function decodeOctal(bytes: Uint8Array): number {
  let start = 0;
  while (start < bytes.length && isBlank(bytes[start]!)) start++;
  let value = 0;
  let end = start;
  for (; end < bytes.length && !isBlank(bytes[end]!); end++) {
    const digit = bytes[end]! - 0x30;
    if (digit < 0 || digit > 7) return Number.NaN;
    value = value * 8 + digit;
  }
  // Only spaces may follow the digits, up to the first NUL.
  for (let i = end; i < bytes.length && bytes[i] !== 0; i++) if (bytes[i] !== 0x20) return Number.NaN;
  return value;
}

// Two's complement with the top bit as the base-256 marker and 0x40 as the sign.
function decodeBase256(bytes: Uint8Array): number {
  const invert = bytes[0]! & 0x40 ? 0xff : 0;
  let value = (bytes[0]! ^ invert) & 0x7f;
  for (let i = 1; i < bytes.length; i++) value = value * 256 + (bytes[i]! ^ invert);
  return invert ? -value - 1 : value;
}

const DECIMAL = /^[0-9]+$/;
const LEADING_ZEROS = /^0+(?=.)/;
const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER).length;

/**
 * Reads a decimal text field (PAX `size`/`uid`/`gid`, the GNU sparse numbers) as Go's
 * `strconv.ParseInt` reads a non-negative one: ASCII digits only, any number of leading zeros.
 * Returns NaN for anything else (empty, a sign, a blank, a fraction) and Infinity above 2^53−1.
 */
export function decodeDecimal(text: string): number {
  if (!DECIMAL.test(text)) return Number.NaN;
  const digits = text.replace(LEADING_ZEROS, '');
  if (digits.length > MAX_SAFE_DIGITS) return Number.POSITIVE_INFINITY;
  const value = Number(digits);
  return value > Number.MAX_SAFE_INTEGER ? Number.POSITIVE_INFINITY : value;
}

function isBlank(byte: number): boolean {
  return byte === 0 || byte === 0x20;
}

/** Decodes a NUL-terminated byte-string field (the whole field when it has no NUL). */
export function decodeString(block: Uint8Array, offset: number, length: number): BytePath {
  let end = offset;
  const limit = offset + length;
  while (end < limit && block[end] !== 0) end++;
  return pathFromBytes(block.subarray(offset, end));
}

/**
 * Verifies a header checksum: the sum of all bytes with the checksum field read as spaces,
 * accepting both the unsigned (POSIX) and the signed (old Sun/GNU) sum.
 */
export function verifyChecksum(block: Uint8Array, at: TarPosition): void {
  const recorded = decodeNumber(block, FIELD.checksum, 'checksum', false, at);
  const [start, length] = FIELD.checksum;
  let unsigned = 0x20 * length;
  let signed = 0x20 * length;
  for (let i = 0; i < block.length; i++) {
    if (i === start) {
      i += length - 1;
      continue;
    }
    const byte = block[i]!;
    unsigned += byte;
    signed += byte < 0x80 ? byte : byte - 0x100;
  }
  if (recorded !== unsigned && recorded !== signed) {
    throw tarError('TAR_BAD_CHECKSUM', `header checksum ${recorded} does not match ${unsigned}`, at);
  }
}

/** True when the header block's magic field starts with the bytes `magic`. */
export function hasMagic(block: Uint8Array, magic: readonly number[]): boolean {
  const start = FIELD.magic[0];
  return magic.every((byte, i) => block[start + i] === byte);
}

/** True for a block of 512 zero bytes (the end-of-archive marker). */
export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}
