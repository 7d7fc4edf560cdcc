/**
 * Decoding PAX extended-header payloads (`x` entries) into the header fields they override.
 */
import type { BytePath } from '../contracts.js';
import { pathFromBytes } from '../path.js';
import { type TarPosition, tarError } from './tar-error.js';

/** Prefix of PAX keys that carry extended attributes (GNU, Go and Docker spelling). */
export const PAX_XATTR_PREFIX = 'SCHILY.xattr.';

const SPARSE_PREFIX = 'GNU.sparse.';
const NEWLINE = 0x0a;
const SPACE = 0x20;
const EQUALS = 0x3d;
const MAX_UINT32_ID = 2 ** 32 - 2;
const NS_PER_SECOND = 1_000_000_000n;
const PAX_TIME = /^(-?)(\d{1,18})(?:\.(\d*))?$/;
const PAX_DECIMAL = /^\d{1,16}$/;

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
}

/**
 * Parses `"%d %s=%s\n"` records. Throws `TAR_BAD_PAX` on malformed records or values,
 * `TAR_NUL_IN_PATH` for NUL in path/linkpath/uname/gname, `TAR_SPARSE` for `GNU.sparse.*`,
 * `TAR_ID_OUT_OF_RANGE` for uid/gid outside 0..2^32-2. Empty values are ignored (PAX: "delete").
 */
export function decodePax(payload: Uint8Array, at: TarPosition): PaxOverrides {
  const result: PaxOverrides = { xattrs: new Map() };
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
    applyRecord(result, key, payload.subarray(equals + 1, end - 1), at);
    start = end;
  }
  return result;
}

function applyRecord(result: PaxOverrides, key: string, value: Uint8Array, at: TarPosition): void {
  if (key.includes('\0')) throw badPax('a key contains NUL', at);
  if (key.startsWith(SPARSE_PREFIX))
    throw tarError('TAR_SPARSE', `sparse files are not supported (${key})`, at);
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
  if (!PAX_DECIMAL.test(text)) throw badPax(`invalid ${key} ${JSON.stringify(text)}`, at);
  const number = Number(text);
  if (number > max) {
    const code = key === 'size' ? 'TAR_NUMBER_OVERFLOW' : 'TAR_ID_OUT_OF_RANGE';
    throw tarError(code, `${key} ${text} is out of range`, at);
  }
  return number;
}

// Seconds with an optional fraction; more than 18 integer digits (±3e10 years) is an overflow.
function timeValue(value: Uint8Array, at: TarPosition): bigint {
  const text = pathFromBytes(value);
  const match = PAX_TIME.exec(text);
  if (match === null) throw badPax(`invalid mtime ${JSON.stringify(text)}`, at);
  const [, sign, seconds, fraction = ''] = match;
  const ns = BigInt(seconds!) * NS_PER_SECOND + BigInt(fraction.slice(0, 9).padEnd(9, '0'));
  return sign === '-' ? -ns : ns;
}

function badPax(problem: string, at: TarPosition): Error {
  return tarError('TAR_BAD_PAX', `bad PAX header: ${problem}`, at);
}
