/**
 * The layer of a step: diff a lower tree against a rootfs, turn the changes into layer entries,
 * write them as a tar and stream that, in the same pass, into the sink's blob store. An empty
 * diff writes nothing and returns undefined (Docker's `empty_layer`).
 */

import {
  type ChangeStream,
  type DetectionMode,
  type DiffStats,
  diffTrees,
  type LayerEntry,
  layerEntriesFromAdditions,
  layerEntriesFromChanges,
  MemoryTree,
  type SnapshotLookup,
  type Tree,
} from '@layerkit/diff';
import {
  type CompressionName,
  type DeflateChoice,
  type DigestRuntime,
  type HasherFactory,
  type LayerBlob,
  runtimeWithDeflate,
  type WriteLayerBlobOptions,
} from '@layerkit/digest';
import { nodeRuntime } from '@layerkit/digest/node';
import { writeEntriesLayer } from '../../build/entries-layer.js';
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
   * Which deflate writes gzip: `'native'` (default), block-parallel `node:zlib`; `'portable'`,
   * fflate in pure JavaScript, several times slower but byte-identical to what the portable core
   * writes in a browser, Deno or Bun — the same inputs then give the same image digest there
   * (docs/design.md#portable-deflate).
   */
  deflate?: DeflateChoice | undefined;
  /**
   * SOURCE_DATE_EPOCH in seconds: later file mtimes are clamped to it. A whole number from 0 to
   * 253402300799 (year 9999), else `INVALID_SOURCE_DATE_EPOCH`.
   */
  sourceDateEpoch?: number | undefined;
  /** Entries that cannot be represented (sockets, empty xattrs). */
  onWarning?: ((message: string) => void) | undefined;
  /**
   * Receives what the diff behind the layer cost once the layer is written: entries walked, paths
   * settled by recorded stat, metadata or content, files and bytes read, and the walk / compare /
   * hash times (measured only when this is given).
   */
  onDiffStats?: ((stats: DiffStats) => void) | undefined;
}

/** Writes layer entries as one compressed layer blob into `store`; undefined when there are none. */
export function writeEntriesAsLayer(
  entries: AsyncIterable<LayerEntry>,
  store: LayerStore,
  options: LayerOptions,
): Promise<LayerBlob | undefined> {
  return writeEntriesLayer(entries, store, {
    compression: options.compression,
    level: options.level,
    sourceDateEpoch: options.sourceDateEpoch,
    onWarning: options.onWarning,
    runtime: layerRuntime(options),
    through: (tar) => countedBytes(tar, bytesReporter(options, 'layer')),
  });
}

/** The runtime a layer is written with: Node's, with the portable deflate when asked for. */
export function layerRuntime(options: Pick<LayerOptions, 'deflate'>): DigestRuntime {
  return runtimeWithDeflate(nodeRuntime, options.deflate);
}

/** `writeLayerBlob` options for `store`: the native runtime (or the portable deflate), gzip unless told otherwise. */
export function layerBlobOptions(
  store: LayerStore,
  options: Pick<LayerOptions, 'compression' | 'level' | 'deflate'>,
): WriteLayerBlobOptions {
  return {
    store,
    compression: options.compression ?? 'gzip',
    level: options.level,
    runtime: layerRuntime(options),
  };
}

/**
 * Diffs `lower` against `upper` and writes the difference as a layer (undefined when none).
 * With no `lower` the layer adds all of `upper` (an import, a squash, a layer from scratch) and
 * is written as the walk goes, in memory that does not grow with the tree.
 */
export async function layerFromDiff(
  lower: Tree | undefined,
  upper: Tree,
  store: LayerStore,
  options: LayerOptions & { snapshot?: SnapshotLookup | undefined; hasher?: HasherFactory | undefined },
): Promise<LayerBlob | undefined> {
  const changes = diffTrees(lower ?? MemoryTree.fromEntries([]), upper, {
    hasher: options.hasher ?? nodeRuntime.sha256,
    mode: options.mode,
    snapshot: options.snapshot,
    timing: options.onDiffStats !== undefined,
  });
  const entries = lower === undefined ? layerEntriesFromAdditions(changes) : layerEntriesFromChanges(changes);
  const layer = await writeEntriesAsLayer(entries, store, options);
  options.onDiffStats?.(changes.stats);
  return layer;
}

/** Writes `changes` (a diff, or an overlay upperdir's) as a layer (undefined when none). */
export function layerFromChanges(
  changes: ChangeStream,
  store: LayerStore,
  options: LayerOptions,
): Promise<LayerBlob | undefined> {
  return writeEntriesAsLayer(layerEntriesFromChanges(changes), store, options);
}
