/**
 * The sparse map of a GNU sparse file, in each of its formats — old GNU (typeflag `S`: the map in
 * the header and in extension blocks after it), PAX 0.0 (`GNU.sparse.offset`/`numbytes` pairs),
 * 0.1 (`GNU.sparse.map`) and 1.0 (the map at the start of the body) — found and checked as Go's
 * `archive/tar` reader does (T18, docs/threat-model.md#t18). The reader does the I/O and expands
 * the file (`sparse-body.ts`). Errors are `LayerkitError('TAR_SPARSE')` naming the entry.
 */
import type { BytePath, TarHeader } from '../contracts.js';
import { asBytePath, pathFromBytes } from '../path.js';
import { decodeDecimal, decodeNumber, hasMagic } from './header-fields.js';
import { PAX_SPARSE_MAP } from './pax-decode.js';
import { type TarPosition, tarError } from './tar-error.js';
import { HEADER_TYPEFLAG, TYPEFLAG } from './typeflag.js';
import { BLOCK_SIZE } from './ustar-layout.js';

/** One region of a sparse file that holds data; everything outside the regions is zeros. */
export interface SparseRegion {
  /** Where the data starts in the expanded file. */
  offset: number;
  /** Bytes of data (the archive holds them, region after region). */
  length: number;
}

/** A sparse entry as its headers describe it; the map may continue after the header. */
export interface SparseLayout {
  /** The expanded file's size (`realsize`), reported as the entry's size. */
  realSize: number;
  /** The real name (`GNU.sparse.name`), when the headers give one. */
  name?: BytePath;
  /** Bytes of body the entry has in the archive: the format 1.0 map, then the data regions. */
  physicalSize: number;
  /** The regions the headers hold. */
  map: SparseRegion[];
  /** Where the rest of the map is: extension blocks after an old GNU header, the body (1.0), or nowhere. */
  more: 'none' | 'extension-blocks' | 'body';
}

const GNU_MAGIC = [0x75, 0x73, 0x74, 0x61, 0x72, 0x20, 0x20, 0x00]; // "ustar  \0"
// Old GNU header: 4 map entries of (offset[12], numbytes[12]) at 386, the extension flag at 482,
// realsize at 483; an extension block: 21 entries at 0, its flag at 504.
const HEADER_MAP = { start: 386, entries: 4, extended: 482 } as const;
const EXTENSION_MAP = { start: 0, entries: 21, extended: 504 } as const;
const REALSIZE: readonly [number, number] = [483, 12];
const NUMBER_BYTES = 12;
const NEWLINE = 0x0a;

/**
 * The sparse layout of an entry with the fixed fields `block`, typeflag `typeflag`, the decoded
 * `header` and the `GNU.sparse.*` PAX records `records`; undefined for an ordinary entry (and,
 * as in Go, for PAX records of an unknown sparse version, which leave the entry a plain file).
 * Only a regular file can be sparse, and typeflag `S` needs a GNU header.
 */
export function sparseLayout(
  block: Uint8Array,
  typeflag: string,
  header: TarHeader,
  records: ReadonlyMap<string, string>,
  at: TarPosition,
): SparseLayout | undefined {
  const layout =
    typeflag === HEADER_TYPEFLAG.gnuSparse
      ? oldGnuLayout(block, header.size, at)
      : paxLayout(records, header.size, at);
  if (layout !== undefined && header.typeflag !== TYPEFLAG.file) {
    throw sparseError(`a ${JSON.stringify(header.typeflag)} entry cannot be sparse`, at);
  }
  return layout;
}

function oldGnuLayout(block: Uint8Array, physicalSize: number, at: TarPosition): SparseLayout {
  if (!hasMagic(block, GNU_MAGIC)) throw sparseError('typeflag S in a header that is not GNU', at);
  const map: SparseRegion[] = [];
  const extended = readMapBlock(block, HEADER_MAP, map, at);
  const realSize = decodeNumber(block, REALSIZE, 'realsize', false, at);
  return { realSize, physicalSize, map, more: extended ? 'extension-blocks' : 'none' };
}

// Go's readGNUSparsePAXHeaders: the version records pick the format; with none, a map means 0.x.
function paxLayout(
  records: ReadonlyMap<string, string>,
  physicalSize: number,
  at: TarPosition,
): SparseLayout | undefined {
  const record = (key: string) => records.get(`GNU.sparse.${key}`) ?? '';
  const [major, minor] = [record('major'), record('minor')];
  let inBody: boolean;
  if (major === '0' && (minor === '0' || minor === '1')) inBody = false;
  else if (major === '1' && minor === '0') inBody = true;
  else if (major !== '' || minor !== '' || record('map') === '') return undefined;
  else inBody = false;
  const sizeText = record('size') || record('realsize');
  const realSize = sizeText === '' ? physicalSize : sparseNumber(sizeText, 'realsize', at);
  const layout: SparseLayout = {
    realSize,
    physicalSize,
    map: inBody ? [] : mapFromRecords(record('numblocks'), records.get(PAX_SPARSE_MAP) ?? '', at),
    more: inBody ? 'body' : 'none',
  };
  const name = record('name');
  if (name !== '') {
    if (name.includes('\0')) throw tarError('TAR_NUL_IN_PATH', 'GNU.sparse.name contains a NUL byte', at);
    layout.name = asBytePath(name);
  }
  return layout;
}

// Formats 0.0 and 0.1: `numblocks` regions, as `offset,length` pairs in one comma-separated list.
function mapFromRecords(countText: string, mapText: string, at: TarPosition): SparseRegion[] {
  const count = sparseNumber(countText, 'numblocks', at);
  const numbers = mapText === '' ? [] : mapText.split(',');
  if (numbers.length !== 2 * count) {
    throw sparseError(`GNU.sparse.numblocks is ${count} but the map holds ${numbers.length} numbers`, at);
  }
  return regionsOf(numbers, at);
}

/**
 * Reads the rest of `layout`'s map, block by block from `nextBlock` (which fails on a truncated
 * archive): old GNU extension blocks, or the format 1.0 map that starts the body. At most
 * `maxBytes` bytes of map are read (Go: 1 MiB).
 */
export async function completeSparseMap(
  layout: SparseLayout,
  nextBlock: () => Promise<Uint8Array>,
  maxBytes: number,
  at: TarPosition,
): Promise<SparseRegion[]> {
  let bytes = 0;
  const next = async () => {
    bytes += BLOCK_SIZE;
    if (bytes > maxBytes) throw sparseError(`the sparse map is longer than ${maxBytes} bytes`, at);
    return nextBlock();
  };
  if (layout.more === 'extension-blocks') {
    const map = [...layout.map];
    while (readMapBlock(await next(), EXTENSION_MAP, map, at));
    return map;
  }
  if (layout.more === 'body') return readMap1x0(next, at);
  return layout.map;
}

// Entries up to the first whose offset starts with NUL (as GNU, BSD and Go stop); true when an
// extension block follows.
function readMapBlock(
  block: Uint8Array,
  shape: { start: number; entries: number; extended: number },
  map: SparseRegion[],
  at: TarPosition,
): boolean {
  for (let i = 0; i < shape.entries; i++) {
    const start = shape.start + i * 2 * NUMBER_BYTES;
    if (block[start] === 0) break;
    map.push({
      offset: decodeNumber(block, [start, NUMBER_BYTES], 'sparse offset', false, at),
      length: decodeNumber(block, [start + NUMBER_BYTES, NUMBER_BYTES], 'sparse length', false, at),
    });
  }
  return block[shape.extended] !== 0;
}

// Format 1.0: newline-terminated decimals (the count, then offset and length per region) in
// whole blocks; whatever follows the last number in its block is padding.
async function readMap1x0(next: () => Promise<Uint8Array>, at: TarPosition): Promise<SparseRegion[]> {
  let text = '';
  let newlines = 0;
  const feed = async (wanted: number) => {
    while (newlines < wanted) {
      const block = await next();
      for (const byte of block) if (byte === NEWLINE) newlines++;
      text += pathFromBytes(block);
    }
  };
  await feed(1);
  const count = sparseNumber(text.slice(0, text.indexOf('\n')), 'region count', at);
  await feed(1 + 2 * count);
  return regionsOf(text.split('\n').slice(1, 1 + 2 * count), at);
}

function regionsOf(numbers: readonly string[], at: TarPosition): SparseRegion[] {
  const map: SparseRegion[] = [];
  for (let i = 0; i + 1 < numbers.length; i += 2) {
    map.push({
      offset: sparseNumber(numbers[i]!, 'offset', at),
      length: sparseNumber(numbers[i + 1]!, 'length', at),
    });
  }
  return map;
}

function sparseNumber(text: string, what: string, at: TarPosition): number {
  const value = decodeDecimal(text);
  if (!Number.isFinite(value)) throw sparseError(`invalid sparse ${what} ${JSON.stringify(text)}`, at);
  return value;
}

/**
 * Checks a complete map as Go's `validateSparseEntries` does — regions in ascending order, not
 * overlapping, inside the `realSize`-byte file — and that the archive holds exactly the
 * `dataSize` bytes of data the regions add up to (Go fails a read on missing or unreferenced
 * data; this fails before the first byte).
 */
export function checkSparseMap(
  map: readonly SparseRegion[],
  realSize: number,
  dataSize: number,
  at: TarPosition,
): void {
  let end = 0;
  let data = 0;
  for (const { offset, length } of map) {
    if (offset < end) throw sparseError(`sparse region at ${offset} overlaps or precedes the one before`, at);
    end = offset + length;
    if (end > realSize)
      throw sparseError(`sparse region ${offset}+${length} ends past the size ${realSize}`, at);
    data += length;
  }
  if (data !== dataSize) {
    throw sparseError(`the sparse map holds ${data} bytes of data but the archive ${dataSize}`, at);
  }
}

function sparseError(problem: string, at: TarPosition): Error {
  return tarError('TAR_SPARSE', problem, at);
}
