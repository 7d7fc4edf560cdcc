/**
 * The strict streaming tar reader (ustar, PAX, GNU, v7): hostile input yields a typed error
 * naming the entry and offset, never a hang, a crash or unbounded buffering (reference T17–T25).
 */
import type { BytePath, TarEntry, TarHeader, TarLimits } from '../contracts.js';
import { ByteReader } from './byte-reader.js';
import { decodeNumber, decodeString, isZeroBlock, verifyChecksum } from './header-fields.js';
import { decodePax, type PaxOverrides } from './pax-decode.js';
import { type TarPosition, tarError } from './tar-error.js';
import { BLOCK_SIZE, FIELD, paddingFor, TYPEFLAG } from './ustar-layout.js';

const DEFAULT_LIMITS: Required<TarLimits> = {
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

/** Metadata from special headers (`x`, `L`, `K`) waiting for the entry they describe. */
interface Pending {
  pax: PaxOverrides | undefined;
  longName: BytePath | undefined;
  longLink: BytePath | undefined;
}

/** Per-entry body state: how much is unread, and whether the reader has moved past it. */
interface BodyState {
  remaining: number;
  expired: boolean;
}

/**
 * Reads a tar stream entry by entry. Each entry's `body` yields exactly `header.size` bytes
 * (views of the source's chunks); a body not read to its end is skipped when the next entry is
 * requested; reading it after that, or after the iteration stopped, throws `TAR_BODY_EXPIRED`.
 *
 * After the end-of-archive blocks the rest of the source is consumed unparsed (so a caller hashing
 * the stream covers trailing data, T23); a stream that ends at a header boundary without the
 * trailer is accepted. Typeflags `\0` and `7` are reported as `0` (`\0` with a trailing `/` as
 * `5`, as Go does); link, device, dir and fifo entries carry no body and report size 0; PAX `g`
 * headers are ignored. Errors are `LayerkitError('TAR_…')`: BAD_CHECKSUM, BAD_NUMBER,
 * NEGATIVE_NUMBER, NUMBER_OVERFLOW, ID_OUT_OF_RANGE, BAD_PAX, NUL_IN_PATH, HEADER_TOO_LARGE,
 * SPARSE, UNKNOWN_TYPE, PATH_TOO_LONG, PATH_TOO_DEEP, TOO_MANY_ENTRIES, TOO_LARGE, BAD_HEADER,
 * TRUNCATED, BODY_EXPIRED.
 */
export async function* readTar(
  source: AsyncIterable<Uint8Array>,
  limits: TarLimits = {},
): AsyncGenerator<TarEntry> {
  const bounds = { ...DEFAULT_LIMITS, ...limits };
  const reader = new ByteReader(source, bounds.maxTotalBytes);
  const pending: Pending = { pax: undefined, longName: undefined, longLink: undefined };
  let entries = 0;
  let current: BodyState | undefined;
  try {
    for (;;) {
      const at: TarPosition = { offset: reader.position, name: '' };
      const block = await reader.read(BLOCK_SIZE);
      if (block.length === 0 && !hasPending(pending)) return;
      if (block.length < BLOCK_SIZE) throw tarError('TAR_TRUNCATED', 'the archive ends inside a header', at);
      if (isZeroBlock(block)) {
        await finishArchive(reader, pending, at);
        return;
      }
      at.name = decodeString(block, ...FIELD.name);
      verifyChecksum(block, at);
      const typeflag = block[FIELD.typeflag[0]]!;
      const size = decodeNumber(block, FIELD.size, 'size', false, at);
      if (isSpecial(typeflag)) {
        await readSpecial(reader, typeflag, size, pending, bounds, at);
        continue;
      }
      if (++entries > bounds.maxEntries) {
        throw tarError('TAR_TOO_MANY_ENTRIES', `more than ${bounds.maxEntries} entries`, at);
      }
      const header = decodeHeader(block, typeflag, size, pending, at);
      checkPath(header.name, bounds, at);
      if (header.linkName.length > bounds.maxPathBytes) {
        throw tarError('TAR_PATH_TOO_LONG', `link target longer than ${bounds.maxPathBytes} bytes`, at);
      }
      current = { remaining: header.size, expired: false };
      yield { header, body: bodyOf(reader, current, at) };
      current.expired = true;
      const rest = current.remaining + paddingFor(header.size);
      if ((await reader.skip(rest)) < rest)
        throw tarError('TAR_TRUNCATED', 'the archive ends inside a body', at);
    }
  } finally {
    if (current !== undefined) current.expired = true;
    await reader.close();
  }
}

function hasPending(pending: Pending): boolean {
  return pending.pax !== undefined || pending.longName !== undefined || pending.longLink !== undefined;
}

// One zero block was read: a second one (or EOF) ends the archive; anything after is drained.
async function finishArchive(reader: ByteReader, pending: Pending, at: TarPosition): Promise<void> {
  if (hasPending(pending))
    throw tarError('TAR_BAD_HEADER', 'an extended header is not followed by an entry', at);
  const second = await reader.read(BLOCK_SIZE);
  if (second.length > 0 && !isZeroBlock(second)) {
    throw tarError('TAR_BAD_HEADER', 'a zero block is followed by data (corrupt end of archive)', at);
  }
  await reader.drain();
}

function isSpecial(typeflag: number): boolean {
  return (
    typeflag === TYPEFLAG.paxLocal ||
    typeflag === TYPEFLAG.paxGlobal ||
    typeflag === TYPEFLAG.gnuLongName ||
    typeflag === TYPEFLAG.gnuLongLink
  );
}

async function readSpecial(
  reader: ByteReader,
  typeflag: number,
  size: number,
  pending: Pending,
  bounds: Required<TarLimits>,
  at: TarPosition,
): Promise<void> {
  if (size > bounds.maxSpecialHeaderBytes) {
    throw tarError(
      'TAR_HEADER_TOO_LARGE',
      `extended header of ${size} bytes exceeds ${bounds.maxSpecialHeaderBytes}`,
      at,
    );
  }
  const payload = await reader.read(size);
  const padding = paddingFor(size);
  if (payload.length < size || (await reader.skip(padding)) < padding) {
    throw tarError('TAR_TRUNCATED', 'the archive ends inside an extended header', at);
  }
  if (typeflag === TYPEFLAG.paxLocal) pending.pax = decodePax(payload, at);
  else if (typeflag === TYPEFLAG.gnuLongName) pending.longName = decodeString(payload, 0, payload.length);
  else if (typeflag === TYPEFLAG.gnuLongLink) pending.longLink = decodeString(payload, 0, payload.length);
  // A global header (`g`) applies to no single entry; Docker and containerd ignore it too.
}

function decodeHeader(
  block: Uint8Array,
  typeflag: number,
  size: number,
  pending: Pending,
  at: TarPosition,
): TarHeader {
  const { pax, longName, longLink } = pending;
  pending.pax = pending.longName = pending.longLink = undefined;
  at.name = pax?.path ?? longName ?? ustarName(block);
  const type = typeflagOf(typeflag, at);
  const hasBody = type === '0';
  const isDevice = type === '3' || type === '4';
  const uid = pax?.uid ?? decodeNumber(block, FIELD.uid, 'uid', false, at);
  const gid = pax?.gid ?? decodeNumber(block, FIELD.gid, 'gid', false, at);
  if (uid > MAX_UINT32_ID || gid > MAX_UINT32_ID) {
    throw tarError('TAR_ID_OUT_OF_RANGE', `uid/gid ${uid}/${gid} outside 0..${MAX_UINT32_ID}`, at);
  }
  return {
    name: at.name,
    typeflag:
      type === '0' && block[FIELD.typeflag[0]] === TYPEFLAG.legacyFile && at.name.endsWith('/') ? '5' : type,
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
  return prefix === '' ? name : `${prefix}/${name}`;
}

function hasMagic(block: Uint8Array, magic: readonly number[]): boolean {
  const start = FIELD.magic[0];
  return magic.every((byte, i) => block[start + i] === byte);
}

function typeflagOf(typeflag: number, at: TarPosition): string {
  if (typeflag === TYPEFLAG.legacyFile || typeflag === TYPEFLAG.contiguous) return '0';
  if (typeflag >= TYPEFLAG.file && typeflag <= TYPEFLAG.fifo) return String.fromCharCode(typeflag);
  if (typeflag === TYPEFLAG.gnuSparse) throw tarError('TAR_SPARSE', 'sparse files are not supported', at);
  throw tarError(
    'TAR_UNKNOWN_TYPE',
    `unsupported typeflag ${JSON.stringify(String.fromCharCode(typeflag))}`,
    at,
  );
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

function checkPath(name: BytePath, bounds: Required<TarLimits>, at: TarPosition): void {
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

function bodyOf(reader: ByteReader, state: BodyState, at: TarPosition): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      while (state.remaining > 0) {
        if (state.expired)
          throw tarError('TAR_BODY_EXPIRED', 'the body was read after moving to the next entry', at);
        const chunk = await reader.next(state.remaining);
        if (chunk === null) throw tarError('TAR_TRUNCATED', 'the archive ends inside a body', at);
        state.remaining -= chunk.length;
        yield chunk;
      }
    },
  };
}
