/**
 * Indexing an uncompressed tar that can be read at any offset (a file): each entry's header and
 * where its body starts, found by reading headers only and seeking past the bodies, so an image
 * archive of any size is indexed in a few reads. Same decoding, limits and errors as `readTar`.
 */
import type { TarHeader, TarLimits } from '../contracts.js';
import { TarHeaderDecoder } from './header-decoder.js';
import { isZeroBlock } from './header-fields.js';
import { positionAt, tarError } from './tar-error.js';
import { BLOCK_SIZE, paddingFor } from './ustar-layout.js';

/** Reads into `into` from `position`; returns the bytes read (0 at the end). */
export type ReadAt = (into: Uint8Array, position: number) => number;

/** One entry of an indexed archive. */
export interface TarMember {
  header: TarHeader;
  /** Offset of the entry's body (`header.size` bytes) in the archive. */
  bodyOffset: number;
}

function readFully(readAt: ReadAt, into: Uint8Array, position: number): number {
  let done = 0;
  while (done < into.length) {
    const read = readAt(into.subarray(done), position + done);
    if (read === 0) break;
    done += read;
  }
  return done;
}

/**
 * Yields the entries of the `length`-byte archive behind `readAt`, in order, up to the
 * end-of-archive blocks (or the end of the data, when there is no trailer). Throws
 * `LayerkitError('TAR_…')` naming the entry and offset; `TAR_TRUNCATED` when a header or body
 * runs past `length`, `TAR_SPARSE` for a sparse member (image archives never hold one).
 */
export function* scanTarMembers(
  readAt: ReadAt,
  length: number,
  limits: TarLimits = {},
): Generator<TarMember> {
  const decoder = new TarHeaderDecoder(limits);
  const block = new Uint8Array(BLOCK_SIZE);
  let offset = 0;
  while (offset < length) {
    const at = positionAt(offset);
    if (readFully(readAt, block, offset) < BLOCK_SIZE) {
      throw tarError('TAR_TRUNCATED', 'the archive ends inside a header', at);
    }
    if (isZeroBlock(block)) {
      decoder.checkNothingPending(at);
      return;
    }
    const head = decoder.block(block, at);
    const bodyOffset = offset + BLOCK_SIZE;
    let size = head.size;
    if (head.special) {
      decoder.checkSpecialSize(size, at);
      const payload = new Uint8Array(size);
      if (readFully(readAt, payload, bodyOffset) < size) {
        throw tarError('TAR_TRUNCATED', 'the archive ends inside an extended header', at);
      }
      decoder.special(head.typeflag, payload, at);
    } else {
      const { header, sparse } = decoder.entry(block, head, at);
      // Image archives hold JSON documents and layer blobs: a sparse member is corrupt or hostile.
      if (sparse !== undefined) throw tarError('TAR_SPARSE', 'a sparse member in an image archive', at);
      size = header.size;
      if (bodyOffset + size > length) throw tarError('TAR_TRUNCATED', 'the archive ends inside a body', at);
      yield { header, bodyOffset };
    }
    offset = bodyOffset + size + paddingFor(size);
  }
  if (decoder.hasPending())
    throw tarError('TAR_TRUNCATED', 'the archive ends after an extended header', positionAt(offset));
}
