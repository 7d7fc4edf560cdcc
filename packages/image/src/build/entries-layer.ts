/**
 * Layer entries to a stored layer blob in one pass: the entries are written as a tar, which
 * streams through the codec into the store (DiffID and blob digest hashed on the way). An empty
 * entry stream writes nothing (Docker's `empty_layer`). Portable: the runtime picks the codecs.
 */
import { type LayerEntry, writeLayerTar } from '@layerkit/diff';
import {
  type BlobStore,
  type ByteSource,
  type CompressionName,
  type DigestRuntime,
  type LayerBlob,
  writeLayerBlob,
} from '@layerkit/digest';

/** How {@link writeEntriesLayer} writes and compresses a layer. */
export interface EntriesLayerOptions {
  /** The layer blob's compression (default `gzip`; `none` writes a plain tar). */
  compression?: CompressionName | undefined;
  /** Codec level (gzip 1–9). */
  level?: number | undefined;
  /** SOURCE_DATE_EPOCH in seconds: later file mtimes are clamped to it. */
  sourceDateEpoch?: number | undefined;
  /** Entries that cannot be represented (sockets, empty xattrs). */
  onWarning?: ((message: string) => void) | undefined;
  /** Hashing and codecs. */
  runtime: DigestRuntime;
  /** Wraps the uncompressed tar stream (progress, event-loop turns); default: as it is. */
  through?: ((tar: ByteSource) => ByteSource) | undefined;
}

/** Pulls the first item; returns undefined for an empty stream, else the stream re-joined. */
async function nonEmpty<T>(items: AsyncIterable<T>): Promise<AsyncIterable<T> | undefined> {
  const iterator = items[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return undefined;
  return (async function* () {
    yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  })();
}

/** Writes layer entries as one compressed layer blob into `store`; undefined when there are none. */
export async function writeEntriesLayer(
  entries: AsyncIterable<LayerEntry>,
  store: Pick<BlobStore, 'writer'>,
  options: EntriesLayerOptions,
): Promise<LayerBlob | undefined> {
  const present = await nonEmpty(entries);
  if (present === undefined) return undefined;
  const tar = writeLayerTar(present, {
    onWarning: (w: { message: string }) => options.onWarning?.(w.message),
    sourceDateEpoch: options.sourceDateEpoch,
  });
  return writeLayerBlob(options.through === undefined ? tar : options.through(tar), {
    store,
    compression: options.compression ?? 'gzip',
    level: options.level,
    runtime: options.runtime,
  });
}
