/**
 * The merged view: the final tree of an image's layers without extracting anything. Each layer
 * is read once, bottom first, and applied to an in-memory target by the same algorithm
 * `applyLayer` runs on disk, so whiteouts, opaque markers, hardlinks and symlinked parents
 * resolve exactly as they would in an unpacked rootfs.
 */
import type { HasherFactory } from '@layerkit/digest';
import type { TarEntry, TarLimits, Tree } from '../contracts.js';
import { readTar } from '../tar/read-tar.js';
import { MemoryTree } from '../tree/memory-tree.js';
import { applyEntries } from './apply-entries.js';
import { emptyTally } from './apply-types.js';
import { type ContentSource, MemoryTarget } from './memory-target.js';

/** Opens one decompressed layer tar stream; called again whenever a file's content is read. */
export type LayerOpener = () => AsyncIterable<Uint8Array>;

/** Options of `mergedTree`. */
export interface MergedTreeOptions {
  /** Hashes file contents into `contentDigest` (e.g. `createNativeSha256` in Node). */
  hasher: HasherFactory;
  /** Limits for reading each layer. */
  limits?: TarLimits;
  /** Reject a path that occurs twice in one layer (T22, docs/threat-model.md#t22). */
  strict?: boolean;
}

/** Numbers the entries of one layer so a file can find its bytes again. */
async function* numbered(
  entries: AsyncIterable<TarEntry>,
  target: MemoryTarget,
  layer: number,
): AsyncIterable<TarEntry> {
  let ordinal = 0;
  for await (const entry of entries) {
    target.position = { layer, ordinal: ordinal++ };
    yield entry;
  }
}

/** Streams the body of entry `ordinal` of a layer, reading the layer from its start. */
async function* layerEntryBody(
  open: LayerOpener,
  ordinal: number,
  limits: TarLimits | undefined,
): AsyncIterable<Uint8Array> {
  let index = 0;
  for await (const entry of readTar(open(), limits)) {
    if (index++ === ordinal) {
      yield* entry.body;
      return;
    }
  }
}

/**
 * The tree an image's layers (decompressed tar streams, bottom first) produce, in the global
 * order. Files carry `size` and `contentDigest` (hashed during the one pass over each layer);
 * hardlinked names share a `linkKey`. Memory grows with the number of entries, not their bytes.
 *
 * `content()` of a file re-opens the layer that wrote it and reads up to that entry: up to a
 * whole layer of I/O per call. Use it rarely (the diff's snapshot fast path normally avoids it),
 * never to read every file. Implied parent directories are 0755, owned by 0:0, mtime 0; a
 * directory's mtime is the one its own entry gave (on disk, adding children later changes it).
 * Hostile input fails with the same `LayerkitError`s as `applyLayer`.
 */
export async function mergedTree(layers: LayerOpener[], options: MergedTreeOptions): Promise<Tree> {
  const target = new MemoryTarget(options.hasher);
  const rules = { strict: options.strict === true };
  for (const [layer, open] of layers.entries()) {
    await applyEntries(target, numbered(readTar(open(), options.limits), target, layer), rules, emptyTally());
  }
  const content = (source: ContentSource) => () =>
    layerEntryBody(layers[source.layer]!, source.ordinal, options.limits);
  return MemoryTree.fromEntries(target.entries(content));
}
