/**
 * A zstd frame scanner for the pure-JavaScript decoder: it walks the frame and block headers of a
 * zstd stream (RFC 8878) as the bytes pass, without decoding anything, and refuses what a hostile
 * stream would use to make fzstd allocate or work without bound (T19, docs/threat-model.md#t19):
 * fzstd allocates a fresh window for every frame, as large as the header says (up to 2 GiB),
 * where libzstd (node:zlib) caps the window at 128 MiB and reuses it. The limits here are
 * libzstd's, so that both decoders accept and refuse the same streams.
 */

/** libzstd's default decoding limit (`ZSTD_WINDOWLOG_LIMIT_DEFAULT` 27): larger windows need `--memory`. */
export const MAX_ZSTD_WINDOW_BYTES = 2 ** 27;
/** The largest block the format allows (`Block_Maximum_Size`). */
const MAX_BLOCK_BYTES = 128 * 1024;
/** Far above honest multi-frame output (pzstd writes one frame per few MiB); as gzip's member cap. */
export const MAX_ZSTD_FRAMES = 100_000;
/**
 * Window bytes allocated and not yet paid for by output: a frame's window is charged when its
 * header is read, and what it decodes pays it back. Honest frames decode at least their window
 * (but the last); a flood of empty frames with 128 MiB windows is stopped after 1 GiB.
 */
export const MAX_ZSTD_WINDOW_DEBT_BYTES = 2 ** 30;

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

type State =
  /** Collecting `need` header bytes, then `next` reads them. */
  | { kind: 'header'; need: number; next: (header: Uint8Array) => void }
  /**
   * Passing `remaining` bytes of block content, a skippable frame or a checksum; `blockEnd`: the
   * decoder gets the input up to here as a part of its own.
   */
  | { kind: 'skip'; remaining: number; next: () => void; blockEnd: boolean };

/** Little-endian unsigned integer of `length` (≤ 6) bytes at `offset`. */
function readLE(bytes: Uint8Array, offset: number, length: number): number {
  let value = 0;
  for (let i = length - 1; i >= 0; i--) value = value * 256 + (bytes[offset + i] ?? 0);
  return value;
}

/**
 * Follows the frames of one zstd stream. `scan` every block of input in order, `produced` every
 * decoded chunk, `end` once; each throws an `Error` naming what is wrong (the codec makes it
 * `CORRUPT_COMPRESSED_DATA`). As libzstd in node:zlib does, bytes after a frame that do not start
 * another (trailing zeros, a partial magic number) end the data: they are not decoded, and not
 * an error (as gunzip ignores trailing garbage; the blob's digest still covers them).
 */
export class ZstdFrameScanner {
  #state: State = this.#frameStart();
  /** No frame is open: the next bytes are a frame's magic number. */
  #betweenFrames = true;
  /** Bytes after the last frame that start no frame: the data ended there. */
  #ended = false;
  #header = new Uint8Array(18);
  #filled = 0;
  #frames = 0;
  #windowDebt = 0;

  /**
   * Reads the headers in `block` and returns the bytes to hand to the decoder: all of them, but
   * that the magic number of a frame is held back until it is whole, and that once the data ends
   * (see the class) nothing more is passed on. Parts end at block ends, so that pushing one part
   * decodes at most one whole block (≤ 128 KiB): the caller meters output between parts, and a
   * run of 4-byte RLE blocks (32768:1) cannot decode gigabytes inside one push.
   */
  scan(block: Uint8Array): Uint8Array[] {
    const parts: Uint8Array[] = [];
    let passFrom = 0;
    let offset = 0;
    while (offset < block.length && !this.#ended) {
      const state = this.#state;
      if (state.kind === 'skip') {
        const take = Math.min(state.remaining, block.length - offset);
        state.remaining -= take;
        offset += take;
        if (state.remaining === 0) {
          if (state.blockEnd) {
            parts.push(block.subarray(passFrom, offset));
            passFrom = offset;
          }
          state.next();
        }
        continue;
      }
      const magic = this.#betweenFrames;
      if (magic && offset > passFrom) parts.push(block.subarray(passFrom, offset));
      const take = Math.min(state.need - this.#filled, block.length - offset);
      this.#header.set(block.subarray(offset, offset + take), this.#filled);
      this.#filled += take;
      offset += take;
      if (magic) passFrom = offset;
      if (this.#filled === state.need) {
        this.#filled = 0;
        const header = this.#header.slice(0, state.need);
        state.next(header);
        if (magic && !this.#ended) parts.push(header);
      }
    }
    if (!this.#ended && offset > passFrom) parts.push(block.subarray(passFrom, offset));
    return parts;
  }

  /** Credits `bytes` of decoded output against the windows allocated so far. */
  produced(bytes: number): void {
    this.#windowDebt = Math.max(0, this.#windowDebt - bytes);
  }

  /** The input ended: it must end between frames (or in data after them, see the class). */
  end(): void {
    if (this.#ended || (this.#betweenFrames && this.#frames > 0)) return;
    if (!this.#betweenFrames || this.#filled > 0)
      throw new Error('unexpected end of zstd data (truncated frame)');
  }

  #frameStart(): State {
    return { kind: 'header', need: 4, next: (magic) => this.#onMagic(magic) };
  }

  #onMagic(magic: Uint8Array): void {
    const value = readLE(magic, 0, 4);
    const skippable = (value & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC;
    if (value !== ZSTD_MAGIC && !skippable && this.#frames > 0) {
      this.#ended = true;
      return;
    }
    this.#betweenFrames = false;
    this.#frames += 1;
    if (this.#frames > MAX_ZSTD_FRAMES) throw new Error(`more than ${MAX_ZSTD_FRAMES} zstd frames`);
    if (value === ZSTD_MAGIC) {
      this.#state = { kind: 'header', need: 1, next: (fhd) => this.#onDescriptor(fhd[0] ?? 0) };
    } else if (skippable) {
      this.#state = {
        kind: 'header',
        need: 4,
        next: (size) => this.#skip(readLE(size, 0, 4), () => this.#nextFrame()),
      };
    } else {
      throw new Error('invalid zstd data (no frame magic where a frame should start)');
    }
  }

  #onDescriptor(fhd: number): void {
    const fcsFlag = fhd >> 6;
    const singleSegment = (fhd >> 5) & 1;
    const checksum = (fhd >> 2) & 1;
    const dictFlag = fhd & 3;
    if (fhd & 8) throw new Error('invalid zstd frame header (reserved bit set)');
    if (dictFlag !== 0) throw new Error('zstd frame needs a dictionary (not supported)');
    const fcsBytes = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
    const rest = (singleSegment ? 0 : 1) + fcsBytes;
    const onHeader = (header: Uint8Array) => {
      let window: number;
      if (singleSegment) {
        const high = fcsBytes === 8 ? readLE(header, 4, 4) : 0;
        window = high > 0 ? Number.POSITIVE_INFINITY : readLE(header, 0, Math.min(fcsBytes, 4));
        if (fcsBytes === 2) window += 256;
      } else {
        const descriptor = header[0] ?? 0;
        const base = 2 ** (10 + (descriptor >> 3));
        window = base + (base / 8) * (descriptor & 7);
      }
      if (window > MAX_ZSTD_WINDOW_BYTES) {
        throw new Error(`zstd window of ${window} bytes is over the ${MAX_ZSTD_WINDOW_BYTES}-byte limit`);
      }
      this.#windowDebt += window;
      if (this.#windowDebt > MAX_ZSTD_WINDOW_DEBT_BYTES) {
        throw new Error('zstd frames allocate far more window than they decode (frame flood)');
      }
      this.#blockHeader(checksum === 1);
    };
    if (rest === 0) onHeader(new Uint8Array(0));
    else this.#state = { kind: 'header', need: rest, next: onHeader };
  }

  #blockHeader(checksum: boolean): void {
    this.#state = {
      kind: 'header',
      need: 3,
      next: (header) => {
        const value = readLE(header, 0, 3);
        const last = value & 1;
        const type = (value >> 1) & 3;
        const size = value >>> 3;
        if (type === 3) throw new Error('invalid zstd block type (reserved)');
        if (size > MAX_BLOCK_BYTES)
          throw new Error(`zstd block of ${size} bytes is over the 128 KiB maximum`);
        const after = last
          ? () => (checksum ? this.#skip(4, () => this.#nextFrame()) : this.#nextFrame())
          : () => this.#blockHeader(checksum);
        this.#skip(type === 1 ? 1 : size, after, true);
      },
    };
  }

  #skip(bytes: number, next: () => void, blockEnd = false): void {
    if (bytes === 0) next();
    else this.#state = { kind: 'skip', remaining: bytes, next, blockEnd };
  }

  #nextFrame(): void {
    this.#betweenFrames = true;
    this.#state = this.#frameStart();
  }
}
