/**
 * The snapshot file format: every path of an unpacked tree with the metadata and stat facts
 * lstat gave right after the unpack, so a later diff needs neither the base layers (the
 * snapshot *is* the lower tree) nor the bytes of files whose stat did not move (git's index trick).
 *
 * Version 2 (written), ASCII, one `\n`-terminated line per path, fields split by one space:
 * ```
 * layerkit-snapshot 2
 * <path> <dev> <ino> <ctimeNs> <mtimeNs> <size> <type> <mode> <uid> <gid> <digest> <linkTarget> <devMajor> <devMinor> <linkKey> <capability>
 * ```
 * Version 1 (still read) has the first six fields only. `<path>`, `<linkTarget>` and `<linkKey>`
 * are byte strings with every byte outside 0x21–0x7E, and `%` itself, as `%XX` (uppercase hex);
 * `<dev>` `<ino>` lowercase hex; times signed decimal ns; `<size>` decimal (lstat's `st_size`);
 * `<type>` one letter (`f d l c b p s h`: file, dir, symlink, char, block, fifo, socket, hardlink);
 * `<mode>` octal permission bits (`& 0o7777`); `<uid>` `<gid>` decimal; `<digest>` the 64 lowercase
 * hex of the content's sha256; `<capability>` the raw `security.capability` value in lowercase hex.
 * The last six fields are optional: `-` when absent, `=` when present but empty (a byte string
 * that is exactly `-` or `=` is written `%2D` / `%3D`). Paths are strictly increasing in
 * `comparePaths` order.
 */
import type { Digest } from '@layerkit/digest';
import type { BytePath, EntryStat, EntryType } from '../contracts.js';
import { comparePaths } from '../path.js';
import {
  decodeOptionalBytes,
  decodeOptionalHex,
  encodeOptionalBytes,
  encodeOptionalHex,
  encodeOptionalNumber,
  escapeBytes,
  snapshotError,
  unescapeBytes,
} from './snapshot-fields.js';

/**
 * What a version-2 record holds beside the stat: with the stat's mtime (and its size, for
 * files) this is a complete `TreeEntry` except the content, which only `contentDigest` stands for.
 */
export interface SnapshotMetadata {
  /** The kind of file system object. */
  type: EntryType;
  /** Permission bits plus setuid/setgid/sticky (`& 0o7777`). */
  mode: number;
  /** Owner user ID. */
  uid: number;
  /** Owner group ID. */
  gid: number;
  /** sha256 of a file's content (only sha256 can be recorded). */
  contentDigest?: Digest;
  /** A symlink's target, verbatim. */
  linkTarget?: BytePath;
  /** Major device number, for `char` and `block`. */
  devMajor?: number;
  /** Minor device number, for `char` and `block`. */
  devMinor?: number;
  /** Hardlink identity at recording time (`dev:ino` for on-disk files with nlink > 1). */
  linkKey?: string;
  /** The raw `security.capability` xattr (the only xattr a snapshot keeps, as Docker compares). */
  capability?: Uint8Array;
}

/** One snapshot line: a path, its stat facts, and (version 2) its metadata. */
export interface SnapshotRecord extends EntryStat {
  /** The path relative to the rootfs (byte string). */
  path: BytePath;
  /** The entry's metadata; absent in records read from a version-1 file. */
  metadata?: SnapshotMetadata;
}

/** Snapshot format versions this package reads. */
export type SnapshotVersion = 1 | 2;

const HEADER_PREFIX = 'layerkit-snapshot ';

/** The first line of every snapshot this package writes (version 2). */
export const SNAPSHOT_HEADER = `${HEADER_PREFIX}2\n`;

/** The version a header line (without its newline) declares; `SNAPSHOT_INVALID` for anything else. */
export function parseSnapshotHeader(line: string): SnapshotVersion {
  if (line === `${HEADER_PREFIX}1`) return 1;
  if (line === `${HEADER_PREFIX}2`) return 2;
  throw snapshotError('not a layerkit snapshot (version 1 or 2)');
}

const TYPE_LETTERS: Readonly<Record<EntryType, string>> = {
  file: 'f',
  dir: 'd',
  symlink: 'l',
  char: 'c',
  block: 'b',
  fifo: 'p',
  socket: 's',
  hardlink: 'h',
};
const TYPES_BY_LETTER = new Map(
  Object.entries(TYPE_LETTERS).map(([type, letter]) => [letter, type as EntryType]),
);
const SHA256_DIGEST = /^sha256:([0-9a-f]{64})$/;
const MAX_MODE = 0o7777;
const MAX_DEVICE_NUMBER = 2 ** 32 - 1;

/** Snapshot paths must be strictly increasing in the global order. */
function checkOrder(
  previous: BytePath | undefined,
  path: BytePath,
  details: Record<string, unknown> = {},
): void {
  if (previous !== undefined && comparePaths(previous, path) >= 0) {
    throw snapshotError(`snapshot path ${JSON.stringify(path)} is out of order`, { path, ...details });
  }
}

function encodeDigest(record: SnapshotRecord, digest: Digest | undefined): string {
  if (digest === undefined) return '-';
  return SHA256_DIGEST.exec(digest)?.[1] ?? unencodable(record, 'only sha256 content digests');
}

function unencodable(record: SnapshotRecord, why: string): never {
  throw snapshotError(`cannot record ${JSON.stringify(record.path)}: ${why}`, { path: record.path });
}

/** Numbers the decoder would refuse are refused here, so every written snapshot reads back. */
function checkNumbers(record: SnapshotRecord, meta: SnapshotMetadata): void {
  const limits: Array<[string, number | undefined, number]> = [
    ['mode', meta.mode, MAX_MODE],
    ['uid', meta.uid, Number.MAX_SAFE_INTEGER],
    ['gid', meta.gid, Number.MAX_SAFE_INTEGER],
    ['devMajor', meta.devMajor, MAX_DEVICE_NUMBER],
    ['devMinor', meta.devMinor, MAX_DEVICE_NUMBER],
  ];
  for (const [name, value, max] of limits) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= max)) {
      unencodable(record, `${name} ${value} is out of range`);
    }
  }
  if (record.dev < 0n || record.ino < 0n || record.size < 0n)
    unencodable(record, 'negative dev, ino or size');
}

function encodeMetadata(record: SnapshotRecord): string {
  const meta = record.metadata;
  if (meta === undefined) unencodable(record, 'the record has no metadata');
  checkNumbers(record, meta);
  return [
    TYPE_LETTERS[meta.type],
    meta.mode.toString(8),
    meta.uid,
    meta.gid,
    encodeDigest(record, meta.contentDigest),
    encodeOptionalBytes(meta.linkTarget),
    encodeOptionalNumber(meta.devMajor),
    encodeOptionalNumber(meta.devMinor),
    encodeOptionalBytes(meta.linkKey),
    encodeOptionalHex(meta.capability),
  ].join(' ');
}

/**
 * Encodes version-2 records one at a time, checking that they arrive in strictly increasing
 * path order and carry metadata. Write {@link SNAPSHOT_HEADER} first, then each `encode(record)` line.
 */
export class SnapshotEncoder {
  #previous: BytePath | undefined;

  /** The line (ASCII, newline-terminated) for `record`; throws when out of order or not encodable. */
  encode(record: SnapshotRecord): string {
    checkOrder(this.#previous, record.path);
    const { dev, ino, ctimeNs, mtimeNs, size } = record;
    const line = `${escapeBytes(record.path)} ${dev.toString(16)} ${ino.toString(16)} ${ctimeNs} ${mtimeNs} ${size} ${encodeMetadata(record)}\n`;
    this.#previous = record.path;
    return line;
  }
}

const asciiEncoder = new TextEncoder();
const CHUNK_CHARS = 64 * 1024;

/**
 * A whole version-2 snapshot encoded one record at a time, as byte chunks of about 64 KiB (the
 * header, then each record's line): memory stays bounded however large the tree, and a
 * synchronous writer (`recordSnapshot`) and {@link encodeSnapshot} produce the same bytes.
 */
export class SnapshotChunks {
  readonly #lines = new SnapshotEncoder();
  #pending = SNAPSHOT_HEADER;

  /** Encodes `record` (as {@link SnapshotEncoder.encode}); returns a chunk once one is full. */
  add(record: SnapshotRecord): Uint8Array | undefined {
    this.#pending += this.#lines.encode(record);
    return this.#pending.length >= CHUNK_CHARS ? this.#take() : undefined;
  }

  /** The last chunk: what is left after the last record (the header alone for no records). */
  end(): Uint8Array {
    return this.#take();
  }

  #take(): Uint8Array {
    const bytes = asciiEncoder.encode(this.#pending);
    this.#pending = '';
    return bytes;
  }
}

/** Streams a whole version-2 snapshot (header and records, in order) as byte chunks of about 64 KiB. */
export async function* encodeSnapshot(
  records: Iterable<SnapshotRecord> | AsyncIterable<SnapshotRecord>,
): AsyncIterable<Uint8Array> {
  const chunks = new SnapshotChunks();
  for await (const record of records) {
    const chunk = chunks.add(record);
    if (chunk !== undefined) yield chunk;
  }
  yield chunks.end();
}

/** Decodes ASCII at native speed: windows-1252 maps 0x00–0x7F to themselves and 0x80–0xFF above 0x7E. */
const asciiDecoder = new TextDecoder('windows-1252');
const NOT_ASCII = /[^\x00-\x7e]/;
/**
 * Whole-line patterns, one match per line (cheaper than splitting and testing field by field):
 * the stat facts, then (version 2) the metadata. Every field is non-empty and space-free.
 */
const STAT_PATTERN = '([^ ]+) ([0-9a-f]+) ([0-9a-f]+) (-?[0-9]+) (-?[0-9]+) (-?[0-9]+)';
const METADATA_PATTERN =
  ' ([fdlcbpsh]) ([0-7]+) ([0-9]+) ([0-9]+) (-|[0-9a-f]{64}) ([^ ]+) (-|[0-9]+) (-|[0-9]+) ([^ ]+) (-|=|(?:[0-9a-f]{2})+)';
const LINE_PATTERNS: Readonly<Record<SnapshotVersion, RegExp>> = {
  1: new RegExp(`^${STAT_PATTERN}$`),
  2: new RegExp(`^${STAT_PATTERN}${METADATA_PATTERN}$`),
};
/** Far above any real line (paths and targets of 4 KiB escaped, a 64 KiB xattr in hex): bounds memory. */
const MAX_LINE_CHARS = 1024 * 1024;

function malformed(line: number): never {
  throw snapshotError(`snapshot line ${line} is malformed`, { line });
}

/** A decimal or octal field the line pattern matched, refused above `max`. */
function boundedNumber(field: string, radix: 8 | 10, max: number, line: number): number {
  const value = Number.parseInt(field, radix);
  if (value > max) malformed(line);
  return value;
}

/** The metadata from a version-2 line's fields 7–16 (`fields` is the line pattern's match). */
function parseMetadata(fields: RegExpExecArray, line: number): SnapshotMetadata {
  const [, , , , , , , type, mode, uid, gid, digest, linkTarget, devMajor, devMinor, linkKey, capability] =
    fields;
  const metadata: SnapshotMetadata = {
    type: TYPES_BY_LETTER.get(type!)!,
    mode: boundedNumber(mode!, 8, MAX_MODE, line),
    uid: boundedNumber(uid!, 10, Number.MAX_SAFE_INTEGER, line),
    gid: boundedNumber(gid!, 10, Number.MAX_SAFE_INTEGER, line),
  };
  if (digest !== '-') metadata.contentDigest = `sha256:${digest}` as Digest;
  const target = decodeOptionalBytes(linkTarget!, line);
  if (target !== undefined) metadata.linkTarget = target;
  if (devMajor !== '-') metadata.devMajor = boundedNumber(devMajor!, 10, MAX_DEVICE_NUMBER, line);
  if (devMinor !== '-') metadata.devMinor = boundedNumber(devMinor!, 10, MAX_DEVICE_NUMBER, line);
  const key = decodeOptionalBytes(linkKey!, line);
  if (key !== undefined) metadata.linkKey = key;
  const cap = decodeOptionalHex(capability!, line);
  if (cap !== undefined) metadata.capability = cap;
  return metadata;
}

/** Digits a double holds exactly: 13 hex digits (52 bits), 15 decimal ones. */
const EXACT_HEX_DIGITS = 13;
const EXACT_DECIMAL_DIGITS = 15;

/**
 * A BigInt from a hex or (signed) decimal field the line pattern matched. Short fields go
 * through a double, several times cheaper than parsing the string as a BigInt (a snapshot diff
 * does this five times per path); longer ones (ns times) are parsed as BigInts.
 */
function bigIntField(field: string, radix: 10 | 16): bigint {
  if (field.length <= (radix === 16 ? EXACT_HEX_DIGITS : EXACT_DECIMAL_DIGITS)) {
    return BigInt(Number.parseInt(field, radix));
  }
  return BigInt(radix === 16 ? `0x${field}` : field);
}

function parseLine(text: string, version: SnapshotVersion, line: number): SnapshotRecord {
  const fields = LINE_PATTERNS[version].exec(text) ?? malformed(line);
  const [, path, dev, ino, ctimeNs, mtimeNs, size] = fields;
  const record: SnapshotRecord = {
    path: unescapeBytes(path!, line),
    dev: bigIntField(dev!, 16),
    ino: bigIntField(ino!, 16),
    ctimeNs: BigInt(ctimeNs!),
    mtimeNs: BigInt(mtimeNs!),
    size: bigIntField(size!, 10),
  };
  if (version === 2) record.metadata = parseMetadata(fields, line);
  return record;
}

/**
 * Decodes a snapshot of either version from byte chunks, lazily and in order, validating the
 * header, every line (at most 1 MiB) and the path order. Version-1 records have no `metadata`.
 * Throws `LayerkitError('SNAPSHOT_INVALID')` on any defect.
 */
export function* decodeSnapshot(chunks: Iterable<Uint8Array>): Generator<SnapshotRecord> {
  let buffered = '';
  let line = 0;
  let version: SnapshotVersion | undefined;
  let previous: BytePath | undefined;
  const take = (text: string): SnapshotRecord | undefined => {
    line++;
    if (version === undefined) {
      version = parseSnapshotHeader(text);
      return undefined;
    }
    const record = parseLine(text, version, line);
    checkOrder(previous, record.path, { line });
    previous = record.path;
    return record;
  };
  for (const chunk of chunks) {
    const text = asciiDecoder.decode(chunk);
    if (NOT_ASCII.test(text)) throw snapshotError('snapshot holds a non-ASCII byte');
    buffered += text;
    let start = 0;
    for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n', start)) {
      const record = take(buffered.slice(start, newline));
      start = newline + 1;
      if (record !== undefined) yield record;
    }
    buffered = buffered.slice(start);
    if (buffered.length > MAX_LINE_CHARS) throw snapshotError(`snapshot line ${line + 1} is too long`);
  }
  if (buffered !== '') throw snapshotError('snapshot ends in the middle of a line');
  if (line === 0) throw snapshotError('snapshot is empty');
}
