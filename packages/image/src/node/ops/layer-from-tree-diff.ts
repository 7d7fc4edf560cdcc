/**
 * The layer of a step: diff a lower tree against a rootfs, turn the changes into layer entries,
 * write them as a tar and stream that, in the same pass, into the sink's blob store. An empty
 * diff writes nothing and returns undefined (Docker's `empty_layer`).
 */

import {
  type DetectionMode,
  diffTrees,
  type LayerEntry,
  layerEntriesFromChanges,
  type SnapshotLookup,
  type Tree,
  writeLayerTar,
} from '@layerkit/diff';
import {
  type CompressionName,
  type HasherFactory,
  type LayerBlob,
  type WriteLayerBlobOptions,
  writeLayerBlob,
} from '@layerkit/digest';
import { nodeRuntime } from '@layerkit/digest/node';
import type { BlobWriteStore } from '../../store/blob-reader.js';
import { countedBytes } from './event-loop-turns.js';
import { bytesReporter, type ProgressOptions } from './progress.js';

/** Where a layer blob is written: any store with a blob writer. */
export type LayerStore = Pick<BlobWriteStore, 'writer'>;

/** How a layer is detected, written and compressed. */
export interface LayerOptions extends ProgressOptions {
  /** Change detection (default: the diff engine's `auto`). */
  mode?: DetectionMode | undefined;
  /** The layer blob's compression (default `gzip`; `none` writes a plain tar). */
  compression?: CompressionName | undefined;
  /** Codec level (gzip 1–9). */
  level?: number | undefined;
  /**
   * SOURCE_DATE_EPOCH in seconds: later file mtimes are clamped to it. A whole number from 0 to
   * 253402300799 (year 9999), else `INVALID_SOURCE_DATE_EPOCH`.
   */
  sourceDateEpoch?: number | undefined;
  /** Entries that cannot be represented (sockets, empty xattrs). */
  onWarning?: ((message: string) => void) | undefined;
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
export async function writeEntriesAsLayer(
  entries: AsyncIterable<LayerEntry>,
  store: LayerStore,
  options: LayerOptions,
): Promise<LayerBlob | undefined> {
  const present = await nonEmpty(entries);
  if (present === undefined) return undefined;
  const tarOptions = {
    onWarning: (w: { message: string }) => options.onWarning?.(w.message),
    sourceDateEpoch: options.sourceDateEpoch,
  };
  const tar = countedBytes(writeLayerTar(present, tarOptions), bytesReporter(options, 'layer'));
  return writeLayerBlob(tar, layerBlobOptions(store, options));
}

/** `writeLayerBlob` options for `store`: the native runtime, gzip unless told otherwise. */
export function layerBlobOptions(
  store: LayerStore,
  options: Pick<LayerOptions, 'compression' | 'level'>,
): WriteLayerBlobOptions {
  return {
    store,
    compression: options.compression ?? 'gzip',
    level: options.level,
    runtime: nodeRuntime,
  };
}

/** Diffs `lower` against `upper` and writes the difference as a layer (undefined when none). */
export async function layerFromDiff(
  lower: Tree,
  upper: Tree,
  store: LayerStore,
  options: LayerOptions & { snapshot?: SnapshotLookup | undefined; hasher?: HasherFactory | undefined },
): Promise<LayerBlob | undefined> {
  const changes = diffTrees(lower, upper, {
    hasher: options.hasher ?? nodeRuntime.sha256,
    mode: options.mode,
    snapshot: options.snapshot,
  });
  return writeEntriesAsLayer(layerEntriesFromChanges(changes), store, options);
}
