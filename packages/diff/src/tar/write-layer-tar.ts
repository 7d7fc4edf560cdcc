/**
 * The deterministic layer-tar writer: the bytes Docker/containerd produce for the same entries
 * (docs/design.md#compat-layer-writer), with no tar library in between. Threat ids (T17, T24) are
 * those of docs/threat-model.md.
 */
import { LayerkitError } from '@layerkit/digest';
import { checkSourceDateEpoch } from '@layerkit/digest/internal';
import type { BytePath, LayerEntry, TreeEntry } from '../contracts.js';
import { asBytePath, baseName, EMPTY_PATH, pathToUtf8 } from '../path.js';
import { opaqueMarkerPath, WHITEOUT_PREFIX, whiteoutPath } from './entry-name.js';
import { encodeHeader, type HeaderFields, planHeader } from './header-encode.js';
import { OutputBlocks } from './output-blocks.js';
import { TYPEFLAG } from './typeflag.js';
import { BLOCK_SIZE, paddingFor } from './ustar-layout.js';

/** Something the writer left out of the layer, reported through `onWarning`. */
export interface LayerTarWarning {
  /** `SOCKET_SKIPPED`: tar has no socket type. `XATTR_SKIPPED`: an empty value or a name PAX cannot hold. */
  code: 'SOCKET_SKIPPED' | 'XATTR_SKIPPED';
  /** The entry concerned. */
  path: BytePath;
  /** A sentence for people, naming the path and what was left out. */
  message: string;
}

/** Options for `writeLayerTar`. */
export interface LayerTarOptions {
  /** SOURCE_DATE_EPOCH, whole seconds from 0 to 253402300799: later mtimes are clamped to it. */
  sourceDateEpoch?: number | undefined;
  /** Seconds (fractions dropped) to record as every entry's mtime (overrides `sourceDateEpoch`). */
  fixedMtime?: number | undefined;
  /** Receives entries or attributes that cannot be represented (default: ignored). */
  onWarning?: ((warning: LayerTarWarning) => void) | undefined;
}

const NS_PER_SECOND = 1_000_000_000n;
// Go's `maxSpecialFileSize`: readers (ours included) reject larger extended headers (T17).
const MAX_PAX_BYTES = 1024 * 1024;
const MAX_DEVICE_NUMBER = 0o7777777;
// 2^32-1 is chown's "no change" and readers reject it (T24).
const MAX_ID = 2 ** 32 - 2;

/**
 * Writes layer entries (in the order given: callers sort them, whiteouts first) as an
 * uncompressed OCI layer tar. Same entries and options ⇒ same bytes:
 * - names relative with no `./` and no root entry (an entry with path `''` is skipped), dirs
 *   ending in `/`; numeric uid/gid, empty uname/gname; mode `& 0o7777`; mtime truncated to whole
 *   seconds (clamped to `sourceDateEpoch`, or `fixedMtime`); no atime/ctime;
 * - USTAR headers, with a PAX `x` header only where USTAR cannot hold a value (as Go does);
 *   xattrs as binary `SCHILY.xattr.*` records; empty xattr values skipped with a warning;
 * - hardlinks as typeflag `1` to `linkTarget`; sockets skipped with a warning;
 * - whiteouts as empty files `dir/.wh.name` / `dir/.wh..wh..opq` with mode, ids and mtime 0;
 * - file bodies read once from `content()`, which must yield exactly `size` bytes;
 * - exactly 1024 zero bytes at the end, no record padding.
 *
 * Yields non-empty chunks of up to 1 MiB (larger only for a header bigger than that) that the
 * consumer owns. Throws `LayerkitError` with code `WHITEOUT_NAME_IN_SOURCE` (a tree entry named
 * `.wh.*`), `INVALID_WHITEOUT` (a whiteout of the root), `CONTENT_SIZE_MISMATCH` (a file grew or
 * shrank while read), `INVALID_PATH` (NUL in a name), `INVALID_ID` (uid/gid outside 0..2^32-2),
 * `DEVICE_NUMBER_TOO_LARGE` or `PAX_HEADER_TOO_LARGE` (xattrs beyond 1 MiB, which Go rejects),
 * and `INVALID_SOURCE_DATE_EPOCH` before the first chunk.
 */
export async function* writeLayerTar(
  entries: AsyncIterable<LayerEntry> | Iterable<LayerEntry>,
  options: LayerTarOptions = {},
): AsyncGenerator<Uint8Array> {
  if (options.sourceDateEpoch !== undefined) checkSourceDateEpoch(options.sourceDateEpoch);
  const out = new OutputBlocks();
  const source = Symbol.asyncIterator in entries ? entries[Symbol.asyncIterator]() : undefined;
  const syncSource = source === undefined ? (entries as Iterable<LayerEntry>)[Symbol.iterator]() : undefined;
  let finished = false;
  try {
    for (;;) {
      // Await only when the entry source is asynchronous.
      const step = source !== undefined ? await source.next() : syncSource!.next();
      if (step.done) break;
      const fields = headerFieldsOf(step.value, options);
      if (fields === undefined) continue;
      const plan = planHeader(fields);
      if (plan.paxBytes > MAX_PAX_BYTES) {
        throw new LayerkitError(
          'PAX_HEADER_TOO_LARGE',
          `${quote(fields.name)}: extended header exceeds 1 MiB`,
          {
            path: fields.name,
          },
        );
      }
      const filled = out.reserve(plan.length);
      if (filled !== undefined) yield filled;
      encodeHeader(out.block, out.used, plan);
      out.advance(plan.length);
      if (fields.typeflag !== TYPEFLAG.file || step.value.kind !== 'entry') continue;
      const entry = step.value.entry;
      let copied = 0;
      const content = entry.content?.() ?? [];
      if (Symbol.asyncIterator in content) {
        for await (const chunk of content) {
          copied = countCopied(entry, copied, chunk);
          for (const block of out.copy(chunk)) yield block;
        }
      } else {
        for (const chunk of content) {
          copied = countCopied(entry, copied, chunk);
          for (const block of out.copy(chunk)) yield block;
        }
      }
      if (copied !== entry.size) throw sizeMismatch(entry, copied);
      out.advance(paddingFor(copied));
    }
    finished = true;
  } finally {
    if (!finished) await (source ?? syncSource)?.return?.();
  }
  const filled = out.reserve(2 * BLOCK_SIZE);
  if (filled !== undefined) yield filled;
  out.advance(2 * BLOCK_SIZE);
  yield out.finish();
}

// The header fields for one layer entry, or undefined for entries a tar cannot hold.
function headerFieldsOf(layerEntry: LayerEntry, options: LayerTarOptions): HeaderFields | undefined {
  if (layerEntry.kind === 'opaque') return whiteoutFields(opaqueMarkerPath(layerEntry.path));
  if (layerEntry.kind === 'whiteout') {
    const { path } = layerEntry;
    if (path === '') throw new LayerkitError('INVALID_WHITEOUT', 'the root cannot be whited out', { path });
    return whiteoutFields(whiteoutPath(path));
  }
  const entry = layerEntry.entry;
  if (entry.path === '') return undefined;
  checkName(entry.path, entry.path);
  if (baseName(entry.path).startsWith(WHITEOUT_PREFIX)) {
    throw new LayerkitError(
      'WHITEOUT_NAME_IN_SOURCE',
      `${quote(entry.path)} is named like a whiteout (".wh." prefix) and cannot be stored in a layer`,
      { path: entry.path },
    );
  }
  if (entry.type === 'socket') {
    options.onWarning?.({
      code: 'SOCKET_SKIPPED',
      path: entry.path,
      message: `${quote(entry.path)}: sockets cannot be stored in a tar`,
    });
    return undefined;
  }
  const linkName =
    entry.type === 'symlink' || entry.type === 'hardlink' ? (entry.linkTarget ?? EMPTY_PATH) : EMPTY_PATH;
  checkName(linkName, entry.path);
  const isDevice = entry.type === 'char' || entry.type === 'block';
  return {
    name: entry.type === 'dir' ? asBytePath(`${entry.path}/`) : entry.path,
    typeflag: TYPEFLAG[entry.type],
    mode: entry.mode & 0o7777,
    uid: checkId(entry.uid, 'uid', entry.path),
    gid: checkId(entry.gid, 'gid', entry.path),
    size: entry.type === 'file' ? entry.size : 0,
    mtime: mtimeSeconds(entry.mtimeNs, options),
    linkName,
    devMajor: isDevice ? deviceNumber(entry.devMajor, entry.path) : 0,
    devMinor: isDevice ? deviceNumber(entry.devMinor, entry.path) : 0,
    xattrs: representableXattrs(entry, options),
  };
}

function whiteoutFields(name: BytePath): HeaderFields {
  checkName(name, name);
  return {
    name,
    typeflag: TYPEFLAG.file,
    mode: 0,
    uid: 0,
    gid: 0,
    size: 0,
    mtime: 0,
    linkName: EMPTY_PATH,
    devMajor: 0,
    devMinor: 0,
    xattrs: undefined,
  };
}

// Truncation toward negative infinity, as Go's `Time.Truncate(time.Second)`.
function mtimeSeconds(mtimeNs: bigint, options: LayerTarOptions): number {
  if (options.fixedMtime !== undefined) return Math.floor(options.fixedMtime);
  let seconds = mtimeNs / NS_PER_SECOND;
  if (mtimeNs < 0n && seconds * NS_PER_SECOND !== mtimeNs) seconds -= 1n;
  const value = Number(seconds);
  return options.sourceDateEpoch !== undefined && value > options.sourceDateEpoch
    ? options.sourceDateEpoch
    : value;
}

function checkId(value: number, kind: 'uid' | 'gid', path: BytePath): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_ID) {
    throw new LayerkitError('INVALID_ID', `${quote(path)}: ${kind} ${value} is outside 0..${MAX_ID}`, {
      path,
    });
  }
  return value;
}

function deviceNumber(value: number | undefined, path: BytePath): number {
  const number = value ?? 0;
  if (number > MAX_DEVICE_NUMBER) {
    throw new LayerkitError(
      'DEVICE_NUMBER_TOO_LARGE',
      `${quote(path)}: device number ${number} exceeds 2097151`,
      { path },
    );
  }
  return number;
}

// PAX cannot hold empty values (they mean "delete") nor keys with `=` or NUL.
function representableXattrs(
  entry: TreeEntry,
  options: LayerTarOptions,
): ReadonlyMap<string, Uint8Array> | undefined {
  const xattrs = entry.xattrs;
  if (xattrs === undefined || xattrs.size === 0) return undefined;
  let kept: Map<string, Uint8Array> | undefined;
  for (const [name, value] of xattrs) {
    if (value.length > 0 && !/[=\0]/.test(name)) continue;
    kept ??= new Map(xattrs);
    kept.delete(name);
    options.onWarning?.({
      code: 'XATTR_SKIPPED',
      path: entry.path,
      message: `${quote(entry.path)}: xattr ${quote(asBytePath(name))} cannot be stored in PAX (empty value, "=" or NUL in its name)`,
    });
  }
  return kept ?? xattrs;
}

function checkName(name: BytePath, path: BytePath): void {
  if (name.includes('\0'))
    throw new LayerkitError('INVALID_PATH', `${quote(path)}: names cannot contain NUL`, { path });
}

// Stops a file that grows while being read before its extra bytes reach the output.
function countCopied(entry: TreeEntry, copied: number, chunk: Uint8Array): number {
  const total = copied + chunk.length;
  if (total > entry.size) throw sizeMismatch(entry, total);
  return total;
}

function sizeMismatch(entry: TreeEntry, copied: number): LayerkitError {
  const change = copied > entry.size ? 'grew' : 'shrank';
  return new LayerkitError(
    'CONTENT_SIZE_MISMATCH',
    `${quote(entry.path)} ${change} while being read: expected ${entry.size} bytes, got ${copied}${copied > entry.size ? ' or more' : ''}`,
    { path: entry.path, expected: entry.size, actual: copied },
  );
}

function quote(path: BytePath): string {
  return JSON.stringify(pathToUtf8(path));
}
