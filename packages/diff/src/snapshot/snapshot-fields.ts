/**
 * Field codecs of the snapshot line format: escaped byte strings, hex bytes and optional fields,
 * all as space-free printable ASCII so a line splits on `' '`.
 */
import { LayerkitError } from '@layerkit/digest';
import type { BytePath } from '../contracts.js';
import { asBytePath, EMPTY_PATH } from '../path.js';

/** Marks an absent optional field. */
const ABSENT = '-';
/** Marks an optional field that is present but empty. */
const EMPTY = '=';
const HEX = '0123456789ABCDEF';
const LOWER_HEX = /^[0-9a-f]*$/;

/** The error for every defect of a snapshot's content. */
export function snapshotError(message: string, details: Record<string, unknown> = {}): LayerkitError {
  return new LayerkitError('SNAPSHOT_INVALID', message, details);
}

/**
 * Writes a byte string with every byte outside `0x21–0x7E`, and `%` itself, as `%XX`
 * (uppercase hex). Throws on a char above 0xFF: such a string is not a byte string.
 */
export function escapeBytes(text: string): string {
  let out = '';
  let plainFrom = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x20 && c < 0x7f && c !== 0x25) continue;
    if (c > 0xff) throw snapshotError(`cannot record ${JSON.stringify(text)}: not a byte string`);
    out += `${text.slice(plainFrom, i)}%${HEX[c >> 4]}${HEX[c & 15]}`;
    plainFrom = i + 1;
  }
  return out + text.slice(plainFrom);
}

/** Reverses {@link escapeBytes}: a byte string (one char per `%XX` or ASCII byte); `line` names the line in errors. */
export function unescapeBytes(text: string, line: number): BytePath {
  const bytes = !text.includes('%')
    ? text
    : text.replace(/%(..)?/g, (_match, hex: string | undefined) => {
        if (hex === undefined || !/^[0-9A-F]{2}$/.test(hex)) {
          throw snapshotError(`snapshot line ${line}: bad escape`, { line });
        }
        return String.fromCharCode(Number.parseInt(hex, 16));
      });
  return asBytePath(bytes);
}

/** Encodes an optional field: `-` when absent, `=` when empty, else `encode(value)`. */
function optional<T extends { length: number }>(value: T | undefined, encode: (value: T) => string): string {
  if (value === undefined) return ABSENT;
  return value.length === 0 ? EMPTY : encode(value);
}

/** An optional byte string; a value that is exactly a marker is escaped so it cannot read as one. */
export function encodeOptionalBytes(value: string | undefined): string {
  return optional(value, (text) => (text === ABSENT ? '%2D' : text === EMPTY ? '%3D' : escapeBytes(text)));
}

/** Reverses {@link encodeOptionalBytes}. */
export function decodeOptionalBytes(field: string, line: number): BytePath | undefined {
  if (field === ABSENT) return undefined;
  return field === EMPTY ? EMPTY_PATH : unescapeBytes(field, line);
}

/** Optional raw bytes as lowercase hex. */
export function encodeOptionalHex(value: Uint8Array | undefined): string {
  return optional(value, (bytes) => {
    let out = '';
    for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
    return out;
  });
}

/** Reverses {@link encodeOptionalHex}. */
export function decodeOptionalHex(field: string, line: number): Uint8Array | undefined {
  if (field === ABSENT) return undefined;
  if (field === EMPTY) return new Uint8Array(0);
  if (field.length % 2 !== 0 || !LOWER_HEX.test(field)) {
    throw snapshotError(`snapshot line ${line}: bad hex field`, { line });
  }
  const bytes = new Uint8Array(field.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(field.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** An optional non-negative integer in decimal. */
export function encodeOptionalNumber(value: number | undefined): string {
  return value === undefined ? ABSENT : String(value);
}
