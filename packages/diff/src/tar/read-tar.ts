/**
 * The strict streaming tar reader (ustar, PAX, GNU, v7): hostile input yields a typed error
 * naming the entry and offset, never a hang, a crash or unbounded buffering (T17–T25,
 * docs/threat-model.md#apply).
 */
import type { TarEntry, TarLimits } from '../contracts.js';
import { ByteReader } from './byte-reader.js';
import { TarHeaderDecoder } from './header-decoder.js';
import { isZeroBlock } from './header-fields.js';
import { expandSparse } from './sparse-body.js';
import { checkSparseMap, completeSparseMap, type SparseLayout } from './sparse-map.js';
import { positionAt, type TarPosition, tarError } from './tar-error.js';
import { BLOCK_SIZE, paddingFor } from './ustar-layout.js';

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
 * headers are ignored. A GNU sparse file (typeflag `S`, PAX formats 0.0, 0.1 and 1.0) is read as
 * Go reads it: a file with its real name and size whose body is the expanded file, holes as
 * zeros; its map is checked before the entry is yielded, and the holes count against
 * `maxTotalBytes` (T18, T28). Errors are `LayerkitError('TAR_…')`: BAD_CHECKSUM, BAD_NUMBER,
 * NEGATIVE_NUMBER, NUMBER_OVERFLOW, ID_OUT_OF_RANGE, BAD_PAX, NUL_IN_PATH, HEADER_TOO_LARGE,
 * SPARSE, UNKNOWN_TYPE, PATH_TOO_LONG, PATH_TOO_DEEP, TOO_MANY_ENTRIES, TOO_LARGE, BAD_HEADER,
 * TRUNCATED, BODY_EXPIRED.
 */
export async function* readTar(
  source: AsyncIterable<Uint8Array>,
  limits: TarLimits = {},
): AsyncGenerator<TarEntry> {
  const decoder = new TarHeaderDecoder(limits);
  const reader = new ByteReader(source, decoder.limits.maxTotalBytes);
  let current: BodyState | undefined;
  try {
    for (;;) {
      const at = positionAt(reader.position);
      const block = await reader.read(BLOCK_SIZE);
      if (block.length === 0 && !decoder.hasPending()) return;
      if (block.length < BLOCK_SIZE) throw tarError('TAR_TRUNCATED', 'the archive ends inside a header', at);
      if (isZeroBlock(block)) {
        await finishArchive(reader, decoder, at);
        return;
      }
      const head = decoder.block(block, at);
      if (head.special) {
        await readSpecial(reader, decoder, head.typeflag, head.size, at);
        continue;
      }
      const { header, sparse } = decoder.entry(block, head, at);
      const physicalSize = sparse?.physicalSize ?? header.size;
      current = { remaining: physicalSize, expired: false };
      const body =
        sparse === undefined
          ? bodyOf(reader, current, at)
          : await sparseBodyOf(reader, decoder, sparse, current, at);
      yield { header, body };
      current.expired = true;
      const rest = current.remaining + paddingFor(physicalSize);
      if ((await reader.skip(rest)) < rest)
        throw tarError('TAR_TRUNCATED', 'the archive ends inside a body', at);
    }
  } finally {
    if (current !== undefined) current.expired = true;
    await reader.close();
  }
}

// One zero block was read: a second one (or EOF) ends the archive; anything after is drained.
async function finishArchive(reader: ByteReader, decoder: TarHeaderDecoder, at: TarPosition): Promise<void> {
  decoder.checkNothingPending(at);
  const second = await reader.read(BLOCK_SIZE);
  if (second.length > 0 && !isZeroBlock(second)) {
    throw tarError('TAR_BAD_HEADER', 'a zero block is followed by data (corrupt end of archive)', at);
  }
  await reader.drain();
}

async function readSpecial(
  reader: ByteReader,
  decoder: TarHeaderDecoder,
  typeflag: string,
  size: number,
  at: TarPosition,
): Promise<void> {
  decoder.checkSpecialSize(size, at);
  const payload = await reader.read(size);
  const padding = paddingFor(size);
  if (payload.length < size || (await reader.skip(padding)) < padding) {
    throw tarError('TAR_TRUNCATED', 'the archive ends inside an extended header', at);
  }
  decoder.special(typeflag, payload, at);
}

// Completes and checks the map (reading the 1.0 map off the body), counts the holes against the
// total-size cap, and returns the expanded body.
async function sparseBodyOf(
  reader: ByteReader,
  decoder: TarHeaderDecoder,
  layout: SparseLayout,
  state: BodyState,
  at: TarPosition,
): Promise<AsyncIterable<Uint8Array>> {
  const nextBlock = async () => {
    if (layout.more === 'body') {
      if (state.remaining < BLOCK_SIZE) throw tarError('TAR_SPARSE', 'the sparse map runs past the data', at);
      state.remaining -= BLOCK_SIZE;
    }
    const block = await reader.read(BLOCK_SIZE);
    if (block.length < BLOCK_SIZE)
      throw tarError('TAR_TRUNCATED', 'the archive ends inside a sparse map', at);
    return block;
  };
  const { maxSpecialHeaderBytes, maxTotalBytes } = decoder.limits;
  const map = await completeSparseMap(layout, nextBlock, maxSpecialHeaderBytes, at);
  checkSparseMap(map, layout.realSize, state.remaining, at);
  if (!reader.countExpanded(layout.realSize - state.remaining)) {
    throw tarError(
      'TAR_TOO_LARGE',
      `the sparse file expands to ${layout.realSize} bytes, taking the archive past the limit of ${maxTotalBytes} bytes`,
      at,
    );
  }
  return unexpired(expandSparse(bodyOf(reader, state, at), map, layout.realSize), state, at);
}

// The expanded body yields zeros without reading: it must fail after its entry as a body does.
async function* unexpired(
  body: AsyncIterable<Uint8Array>,
  state: BodyState,
  at: TarPosition,
): AsyncIterable<Uint8Array> {
  for await (const chunk of body) {
    if (state.expired) throw expiredError(at);
    yield chunk;
  }
}

function expiredError(at: TarPosition): Error {
  return tarError('TAR_BODY_EXPIRED', 'the body was read after moving to the next entry', at);
}

function bodyOf(reader: ByteReader, state: BodyState, at: TarPosition): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      while (state.remaining > 0) {
        if (state.expired) throw expiredError(at);
        const chunk = await reader.next(state.remaining);
        if (chunk === null) throw tarError('TAR_TRUNCATED', 'the archive ends inside a body', at);
        state.remaining -= chunk.length;
        yield chunk;
      }
    },
  };
}
