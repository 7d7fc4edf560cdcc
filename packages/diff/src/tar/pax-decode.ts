/**
 * Decoding PAX extended-header payloads (`x` entries) into the header fields they override.
 */
import type { BytePath } from '../contracts.js';
import { pathFromBytes } from '../path.js';
import { decodeDecimal } from './header-fields.js';
import { type TarPosition, tarError } from './tar-error.js';

/** Prefix of PAX keys that carry extended attributes (GNU, Go and Docker spelling). */
export const PAX_XATTR_PREFIX = 'SCHILY.xattr.';

/** Prefix of the GNU sparse-file records (formats 0.0, 0.1 and 1.0). */
export const PAX_SPARSE_PREFIX = 'GNU.sparse.';
/** The key under which the sparse map of formats 0.0 and 0.1 is kept (`offset,length,…`). */
export const PAX_SPARSE_MAP = 'GNU.sparse.map';
// Format 0.0 repeats these two records, one pair per region, in this order.
const SPARSE_OFFSET = 'GNU.sparse.offset';
const SPARSE_NUMBYTES = 'GNU.sparse.numbytes';
const NEWLINE = 0x0a;
const SPACE = 0x20;
const EQUALS = 0x3d;
const MAX_UINT32_ID = 2 ** 32 - 2;
const NS_PER_SECOND = 1_000_000_000n;
const PAX_TIME = /^(-?)0*(\d+)(?:\.(\d*))?$/;
const MAX_SECONDS_DIGITS = 18;

/** Header fields a PAX header overrides; absent keys leave the USTAR value in force. */
export interface PaxOverrides {
  path?: BytePath;
  linkPath?: BytePath;
  size?: number;
  uid?: number;
  gid?: number;
  mtimeNs?: bigint;
  uname?: string;
  gname?: string;
  xattrs: Map<string, Uint8Array>;
  /**
   * The `GNU.sparse.*` records by key, unparsed (which apply depends on the format version, see
   * `sparse-map.ts`); format 0.0's repeated offset/numbytes pairs are joined into
   * {@link PAX_SPARSE_MAP}, as Go's reader does.
   */
  sparse: Map<string, string>;
}

/**
 * Parses `"%d %s=%s\n"` records. Numbers are read as Go reads them: decimal digits with any
 * number of leading zeros. Throws `TAR_BAD_PAX` on malformed records or values,
 * `TAR_NUL_IN_PATH` for NUL in path/linkpath/uname/gname, `TAR_NUMBER_OVERFLOW` for a size above
 * 2^53−1, `TAR_ID_OUT_OF_RANGE` for uid/gid outside 0..2^32-2, and `TAR_SPARSE` for format 0.0
 * offset/numbytes records out of order. Empty values are ignored (PAX: "delete").
 */
export function decodePax(payload: Uint8Array, at: TarPosition): PaxOverrides {
  const result: PaxOverrides = { xattrs: new Map(), sparse: new Map() };
  const regions: string[] = [];
  let start = 0;
  while (start < payload.length) {
    let cursor = start;
    let length = 0;
    while (cursor < payload.length && payload[cursor]! >= 0x30 && payload[cursor]! <= 0x39) {
      length = length * 10 + payload[cursor]! - 0x30;
      if (length > payload.length) throw badPax('a record length exceeds the header', at);
      cursor++;
    }
    const end = start + length;
    if (
      cursor === start ||
      payload[cursor] !== SPACE ||
      end > payload.length ||
      payload[end - 1] !== NEWLINE
    ) {
      throw badPax(`malformed record at byte ${start}`, at);
    }
    const equals = payload.indexOf(EQUALS, cursor + 1);
    if (equals < 0 || equals >= end - 1) throw badPax(`record at byte ${start} has no '='`, at);
    const key = pathFromBytes(payload.subarray(cursor + 1, equals));
    const value = payload.subarray(equals + 1, end - 1);
    if (key === SPARSE_OFFSET || key === SPARSE_NUMBYTES) addRegionRecord(regions, key, value, at);
    else applyRecord(result, key, value, at);
    start = end;
  }
  if (regions.length > 0) result.sparse.set(PAX_SPARSE_MAP, regions.join(','));
  return result;
}

// Format 0.0: offset, numbytes, offset, … in strict alternation, no commas (Go's parsePAX).
function addRegionRecord(regions: string[], key: string, value: Uint8Array, at: TarPosition): void {
  const text = pathFromBytes(value);
  const expected = regions.length % 2 === 0 ? SPARSE_OFFSET : SPARSE_NUMBYTES;
  if (key !== expected || text.includes(',')) {
    throw tarError('TAR_SPARSE', `sparse map record ${key}=${JSON.stringify(text)} out of order`, at);
  }
  regions.push(text);
}

function applyRecord(result: PaxOverrides, key: string, value: Uint8Array, at: TarPosition): void {
  if (key.includes('\0')) throw badPax('a key contains NUL', at);
  if (key.startsWith(PAX_SPARSE_PREFIX)) {
    result.sparse.set(key, pathFromBytes(value));
    return;
  }
  if (key.startsWith(PAX_XATTR_PREFIX)) {
    // A plain copy: the payload may be a view of a (Node Buffer) source chunk.
    result.xattrs.set(key.slice(PAX_XATTR_PREFIX.length), new Uint8Array(value));
    return;
  }
  if (value.length === 0) return;
  switch (key) {
    case 'path':
      result.path = textValue(key, value, at);
      break;
    case 'linkpath':
      result.linkPath = textValue(key, value, at);
      break;
    case 'uname':
      result.uname = textValue(key, value, at);
      break;
    case 'gname':
      result.gname = textValue(key, value, at);
      break;
    case 'size':
      result.size = decimalValue(key, value, Number.MAX_SAFE_INTEGER, at);
      break;
    case 'uid':
      result.uid = decimalValue(key, value, MAX_UINT32_ID, at);
      break;
    case 'gid':
      result.gid = decimalValue(key, value, MAX_UINT32_ID, at);
      break;
    case 'mtime':
      result.mtimeNs = timeValue(value, at);
      break;
  }
}

function textValue(key: string, value: Uint8Array, at: TarPosition): BytePath {
  if (value.includes(0)) throw tarError('TAR_NUL_IN_PATH', `PAX ${key} contains a NUL byte`, at);
  return pathFromBytes(value);
}

function decimalValue(key: string, value: Uint8Array, max: number, at: TarPosition): number {
  const text = pathFromBytes(value);
  const number = decodeDecimal(text);
  if (Number.isNaN(number)) throw badPax(`invalid ${key} ${JSON.stringify(text)}`, at);
  if (number > max) {
    const code = key === 'size' ? 'TAR_NUMBER_OVERFLOW' : 'TAR_ID_OUT_OF_RANGE';
    throw tarError(code, `${key} ${text} is out of range`, at);
  }
  return number;
}

// Seconds with an optional fraction, leading zeros allowed (Go's parsePAXTime); more than 18
// significant integer digits (±3e10 years) is an overflow.
function timeValue(value: Uint8Array, at: TarPosition): bigint {
  const text = pathFromBytes(value);
  const match = PAX_TIME.exec(text);
  if (match === null || match[2]!.length > MAX_SECONDS_DIGITS)
    throw badPax(`invalid mtime ${JSON.stringify(text)}`, at);
  const [, sign, seconds, fraction = ''] = match;
  const ns = BigInt(seconds!) * NS_PER_SECOND + BigInt(fraction.slice(0, 9).padEnd(9, '0'));
  return sign === '-' ? -ns : ns;
}

function badPax(problem: string, at: TarPosition): Error {
  return tarError('TAR_BAD_PAX', `bad PAX header: ${problem}`, at);
}
