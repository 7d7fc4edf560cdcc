/**
 * Decoding tar header blocks into entries, shared by every way of reading a tar: the streaming
 * `readTar` and the seeking `scanTarMembers`. It owns the state that spans blocks (PAX and GNU
 * long-name headers waiting for their entry) and the limits (T17–T25, docs/threat-model.md#apply);
 * the callers own the I/O. Errors are `LayerkitError('TAR_…')` naming the entry and offset.
 */
import type { BytePath, TarHeader, TarLimits } from '../contracts.js';
import { joinPath } from '../path.js';
import { decodeNumber, decodeString, hasMagic, verifyChecksum } from './header-fields.js';
import { decodePax, type PaxOverrides } from './pax-decode.js';
import { type SparseLayout, sparseLayout } from './sparse-map.js';
import { type TarPosition, tarError } from './tar-error.js';
import { entryTypeOf, HEADER_TYPEFLAG, TYPEFLAG } from './typeflag.js';
import { FIELD } from './ustar-layout.js';

/** The limits `readTar` and `scanTarMembers` apply unless told otherwise. */
export const DEFAULT_TAR_LIMITS: Record<keyof TarLimits, number> = {
  maxSpecialHeaderBytes: 1024 * 1024,
  maxEntries: 10_000_000,
  maxPathBytes: 4096,
  maxPathDepth: 1024,
  maxTotalBytes: 2 ** 40,
};
const MAX_UINT32_ID = 2 ** 32 - 2;
const MAX_DEVICE_NUMBER = 2 ** 32 - 1;
const NS_PER_SECOND = 1_000_000_000n;
const USTAR_MAGIC = [0x75, 0x73, 0x74, 0x61, 0x72, 0x00]; // "ustar\0"
const NO_RECORDS: ReadonlyMap<string, string> = new Map();

/** Metadata from special headers (`x`, `L`, `K`) waiting for the entry they describe. */
interface Pending {
  pax: PaxOverrides | undefined;
  longName: BytePath | undefined;
  longLink: BytePath | undefined;
}

/** What the fixed fields of a header block say, before any extended header is applied. */
export interface HeaderBlock {
  /** The typeflag as written, before `\0` and `7` are read as files. */
  typeflag: string;
  /** The size field: the bytes of body (or of extended header) that follow. */
  size: number;
  /** True for `x`, `g`, `L` and `K` blocks, whose body describes the next entry. */
  special: boolean;
}

/** An entry's header, and its sparse layout when it is a sparse file. */
export interface DecodedEntry {
  /** The header; a sparse file's has its real name and its expanded size. */
  header: TarHeader;
  /** How the body maps onto the expanded file; undefined for an ordinary entry. */
  sparse: SparseLayout | undefined;
}

/** Decodes header blocks one after another, carrying extended headers to the entry they describe. */
export class TarHeaderDecoder {
  readonly limits: Record<keyof TarLimits, number>;
  readonly #pending: Pending = { pax: undefined, longName: undefined, longLink: undefined };
  #entries = 0;

  constructor(limits: TarLimits = {}) {
    // Field by field: a limit given as `undefined` (possible from JavaScript) keeps its default
    // instead of switching the check off.
    const limit = (name: keyof TarLimits) => limits[name] ?? DEFAULT_TAR_LIMITS[name];
    this.limits = {
      maxSpecialHeaderBytes: limit('maxSpecialHeaderBytes'),
      maxEntries: limit('maxEntries'),
      maxPathBytes: limit('maxPathBytes'),
      maxPathDepth: limit('maxPathDepth'),
      maxTotalBytes: limit('maxTotalBytes'),
    };
  }

  /** Checks a (non-zero) header block and reads its fixed fields; names the entry in `at`. */
  block(block: Uint8Array, at: TarPosition): HeaderBlock {
    at.name = decodeString(block, ...FIELD.name);
    verifyChecksum(block, at);
    const typeflag = String.fromCharCode(block[FIELD.typeflag[0]]!);
    const size = decodeNumber(block, FIELD.size, 'size', false, at);
    return { typeflag, size, special: isSpecial(typeflag) };
  }

  /** Refuses an extended header larger than the limit (T17) before its body is read. */
  checkSpecialSize(size: number, at: TarPosition): void {
    if (size > this.limits.maxSpecialHeaderBytes) {
      throw tarError(
        'TAR_HEADER_TOO_LARGE',
        `extended header of ${size} bytes exceeds ${this.limits.maxSpecialHeaderBytes}`,
        at,
      );
    }
  }

  /** Records an extended header's body for the entry that follows it. */
  special(typeflag: string, payload: Uint8Array, at: TarPosition): void {
    if (typeflag === HEADER_TYPEFLAG.paxLocal) this.#pending.pax = decodePax(payload, at);
    else if (typeflag === HEADER_TYPEFLAG.gnuLongName)
      this.#pending.longName = decodeString(payload, 0, payload.length);
    else if (typeflag === HEADER_TYPEFLAG.gnuLongLink)
      this.#pending.longLink = decodeString(payload, 0, payload.length);
    // A global header (`g`) applies to no single entry; Docker and containerd ignore it too.
  }

  /**
   * The entry a non-special block describes, with pending extended headers applied and limits
   * checked. A sparse file (old GNU or PAX 0.0/0.1/1.0) is reported with its real name and size;
   * its map is completed and checked by the reader.
   */
  entry(block: Uint8Array, head: HeaderBlock, at: TarPosition): DecodedEntry {
    if (++this.#entries > this.limits.maxEntries) {
      throw tarError('TAR_TOO_MANY_ENTRIES', `more than ${this.limits.maxEntries} entries`, at);
    }
    const records = this.#pending.pax?.sparse ?? NO_RECORDS;
    const header = decodeHeader(block, head.typeflag, head.size, this.#pending, at);
    const sparse = sparseLayout(block, head.typeflag, header, records, at);
    if (sparse !== undefined) {
      header.size = sparse.realSize;
      if (sparse.name !== undefined) header.name = at.name = sparse.name;
    }
    checkPath(header.name, this.limits, at);
    if (header.linkName.length > this.limits.maxPathBytes) {
      throw tarError('TAR_PATH_TOO_LONG', `link target longer than ${this.limits.maxPathBytes} bytes`, at);
    }
    return { header, sparse };
  }

  /** At the end of the archive: an extended header with no entry after it is corrupt. */
  checkNothingPending(at: TarPosition): void {
    if (this.hasPending())
      throw tarError('TAR_BAD_HEADER', 'an extended header is not followed by an entry', at);
  }

  /** True while an extended header waits for its entry. */
  hasPending(): boolean {
    return hasPending(this.#pending);
  }
}

function hasPending(pending: Pending): boolean {
  return pending.pax !== undefined || pending.longName !== undefined || pending.longLink !== undefined;
}

function isSpecial(typeflag: string): boolean {
  return (
    typeflag === HEADER_TYPEFLAG.paxLocal ||
    typeflag === HEADER_TYPEFLAG.paxGlobal ||
    typeflag === HEADER_TYPEFLAG.gnuLongName ||
    typeflag === HEADER_TYPEFLAG.gnuLongLink
  );
}

function decodeHeader(
  block: Uint8Array,
  typeflag: string,
  size: number,
  pending: Pending,
  at: TarPosition,
): TarHeader {
  const { pax, longName, longLink } = pending;
  pending.pax = pending.longName = pending.longLink = undefined;
  at.name = pax?.path ?? longName ?? ustarName(block);
  const type = entryTypeflag(typeflag, at);
  const hasBody = type === TYPEFLAG.file;
  const isDevice = type === TYPEFLAG.char || type === TYPEFLAG.block;
  const uid = pax?.uid ?? decodeNumber(block, FIELD.uid, 'uid', false, at);
  const gid = pax?.gid ?? decodeNumber(block, FIELD.gid, 'gid', false, at);
  if (uid > MAX_UINT32_ID || gid > MAX_UINT32_ID) {
    throw tarError('TAR_ID_OUT_OF_RANGE', `uid/gid ${uid}/${gid} outside 0..${MAX_UINT32_ID}`, at);
  }
  return {
    name: at.name,
    typeflag: typeflag === HEADER_TYPEFLAG.legacyFile && at.name.endsWith('/') ? TYPEFLAG.dir : type,
    mode: decodeNumber(block, FIELD.mode, 'mode', false, at) & 0o7777,
    uid,
    gid,
    size: hasBody ? (pax?.size ?? size) : 0,
    mtimeNs: pax?.mtimeNs ?? BigInt(decodeNumber(block, FIELD.mtime, 'mtime', true, at)) * NS_PER_SECOND,
    linkName: pax?.linkPath ?? longLink ?? decodeString(block, ...FIELD.linkName),
    devMajor: isDevice ? deviceNumber(block, FIELD.devMajor, 'devmajor', at) : 0,
    devMinor: isDevice ? deviceNumber(block, FIELD.devMinor, 'devminor', at) : 0,
    uname: pax?.uname ?? decodeString(block, ...FIELD.uname),
    gname: pax?.gname ?? decodeString(block, ...FIELD.gname),
    xattrs: pax?.xattrs ?? new Map(),
  };
}

// USTAR/PAX headers split long names into prefix + name; GNU (`ustar  \0`) and v7 have no prefix.
function ustarName(block: Uint8Array): BytePath {
  const name = decodeString(block, ...FIELD.name);
  if (!hasMagic(block, USTAR_MAGIC)) return name;
  const prefix = decodeString(block, ...FIELD.prefix);
  return joinPath(prefix, name);
}

// The entry's typeflag, one of TYPEFLAG: the other spellings of a file (and a GNU sparse file,
// expanded by the reader) are read as a file.
function entryTypeflag(typeflag: string, at: TarPosition): string {
  if (
    typeflag === HEADER_TYPEFLAG.legacyFile ||
    typeflag === HEADER_TYPEFLAG.contiguous ||
    typeflag === HEADER_TYPEFLAG.gnuSparse
  )
    return TYPEFLAG.file;
  if (entryTypeOf(typeflag) !== undefined) return typeflag;
  throw tarError('TAR_UNKNOWN_TYPE', `unsupported typeflag ${JSON.stringify(typeflag)}`, at);
}

function deviceNumber(
  block: Uint8Array,
  field: readonly [number, number],
  name: 'devmajor' | 'devminor',
  at: TarPosition,
): number {
  const value = decodeNumber(block, field, name, false, at);
  if (value > MAX_DEVICE_NUMBER) throw tarError('TAR_NUMBER_OVERFLOW', `${name} ${value} exceeds 2^32-1`, at);
  return value;
}

function checkPath(name: BytePath, bounds: Record<keyof TarLimits, number>, at: TarPosition): void {
  if (name.length > bounds.maxPathBytes) {
    throw tarError('TAR_PATH_TOO_LONG', `name longer than ${bounds.maxPathBytes} bytes`, at);
  }
  // Components = slashes + 1, not counting a directory's trailing slash.
  let depth = name.endsWith('/') ? 0 : 1;
  for (let i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) depth++;
  if (depth > bounds.maxPathDepth) {
    throw tarError('TAR_PATH_TOO_DEEP', `name deeper than ${bounds.maxPathDepth} components`, at);
  }
}
