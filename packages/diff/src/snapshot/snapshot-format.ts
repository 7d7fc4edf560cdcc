/**
 * The snapshot file format (version 1): the stat facts of every path of an unpacked tree,
 * so a later diff can skip unchanged files without reading them (git's index trick).
 *
 * ```
 * layerkit-snapshot 1\n
 * <path> <dev hex> <ino hex> <ctimeNs> <mtimeNs> <size>\n      one line per path, global order
 * ```
 * `<path>` is the byte path with every byte outside 0x21–0x7E, and `%` itself, written as
 * `%XX` (uppercase hex), so any byte survives and the file is pure ASCII. Paths are strictly
 * increasing in `comparePaths` order; times are decimal nanoseconds, size decimal bytes.
 */
import { LayerkitError } from '@layerkit/digest';
import type { BytePath, EntryStat } from '../contracts.js';
import { comparePaths, pathFromBytes } from '../path.js';

/** One snapshot line: a path and the stat facts recorded for it. */
export interface SnapshotRecord extends EntryStat {
  path: BytePath;
}

/** The first line of every version-1 snapshot. */
export const SNAPSHOT_HEADER = 'layerkit-snapshot 1\n';

const HEX = '0123456789ABCDEF';

function escapePath(path: BytePath): string {
  let out = '';
  let plainFrom = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c > 0x20 && c < 0x7f && c !== 0x25) continue;
    out += `${path.slice(plainFrom, i)}%${HEX[c >> 4]}${HEX[c & 15]}`;
    plainFrom = i + 1;
  }
  return out + path.slice(plainFrom);
}

function snapshotError(message: string, details: Record<string, unknown> = {}): LayerkitError {
  return new LayerkitError('SNAPSHOT_INVALID', message, details);
}

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

function unescapePath(text: string, line: number): BytePath {
  return text.replace(/%(..)?/g, (_match, hex: string | undefined) => {
    if (hex === undefined || !/^[0-9A-F]{2}$/.test(hex)) {
      throw snapshotError(`snapshot line ${line}: bad escape in path`, { line });
    }
    return String.fromCharCode(Number.parseInt(hex, 16));
  });
}

/**
 * Encodes records one at a time, checking that they arrive in strictly increasing path order.
 * Write {@link SNAPSHOT_HEADER} first, then each `encode(record)` line.
 */
export class SnapshotEncoder {
  #previous: BytePath | undefined;

  /** The line (ASCII, newline-terminated) for `record`; throws when out of order. */
  encode(record: SnapshotRecord): string {
    checkOrder(this.#previous, record.path);
    this.#previous = record.path;
    const { dev, ino, ctimeNs, mtimeNs, size } = record;
    return `${escapePath(record.path)} ${dev.toString(16)} ${ino.toString(16)} ${ctimeNs} ${mtimeNs} ${size}\n`;
  }
}

const asciiEncoder = new TextEncoder();
const CHUNK_CHARS = 64 * 1024;

/** Streams a whole snapshot (header and records, in order) as byte chunks of about 64 KiB. */
export async function* encodeSnapshot(
  records: Iterable<SnapshotRecord> | AsyncIterable<SnapshotRecord>,
): AsyncIterable<Uint8Array> {
  const encoder = new SnapshotEncoder();
  let pending = SNAPSHOT_HEADER;
  for await (const record of records) {
    pending += encoder.encode(record);
    if (pending.length >= CHUNK_CHARS) {
      yield asciiEncoder.encode(pending);
      pending = '';
    }
  }
  yield asciiEncoder.encode(pending);
}

const HEX_FIELD = /^[0-9a-f]+$/;
const DEC_FIELD = /^-?[0-9]+$/;

function parseLine(text: string, line: number): SnapshotRecord {
  const fields = text.split(' ');
  const [path, dev, ino, ctimeNs, mtimeNs, size] = fields;
  if (
    fields.length !== 6 ||
    path === undefined ||
    path === '' ||
    !HEX_FIELD.test(dev ?? '') ||
    !HEX_FIELD.test(ino ?? '') ||
    !DEC_FIELD.test(ctimeNs ?? '') ||
    !DEC_FIELD.test(mtimeNs ?? '') ||
    !DEC_FIELD.test(size ?? '')
  ) {
    throw snapshotError(`snapshot line ${line} is malformed`, { line });
  }
  return {
    path: unescapePath(path, line),
    dev: BigInt(`0x${dev}`),
    ino: BigInt(`0x${ino}`),
    ctimeNs: BigInt(ctimeNs!),
    mtimeNs: BigInt(mtimeNs!),
    size: BigInt(size!),
  };
}

/**
 * Decodes a snapshot from byte chunks, lazily and in order, validating the header, every
 * line and the path order. Throws `LayerkitError('SNAPSHOT_INVALID')` on any defect.
 */
export function* decodeSnapshot(chunks: Iterable<Uint8Array>): Generator<SnapshotRecord> {
  let buffered = '';
  let line = 0;
  let previous: BytePath | undefined;
  const take = (text: string): SnapshotRecord | undefined => {
    line++;
    if (line === 1) {
      if (`${text}\n` !== SNAPSHOT_HEADER) throw snapshotError('not a layerkit snapshot (version 1)');
      return undefined;
    }
    const record = parseLine(text, line);
    checkOrder(previous, record.path, { line });
    previous = record.path;
    return record;
  };
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i]! > 0x7e) throw snapshotError('snapshot holds a non-ASCII byte');
    }
    buffered += pathFromBytes(chunk);
    let start = 0;
    for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n', start)) {
      const record = take(buffered.slice(start, newline));
      start = newline + 1;
      if (record !== undefined) yield record;
    }
    buffered = buffered.slice(start);
  }
  if (buffered !== '') throw snapshotError('snapshot ends in the middle of a line');
  if (line === 0) throw snapshotError('snapshot is empty');
}
