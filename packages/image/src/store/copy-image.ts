/**
 * Copying one image between any two stores: layers are streamed (verified on read, checked
 * against their descriptor on write), then the manifest and config are published unchanged,
 * so every digest survives the copy.
 */
import { isLayerkitError, LayerkitError } from '@layerkit/digest';
import type { Raw } from '../json/raw.js';
import { isIndexMediaType, isNondistributableMediaType } from '../media-types.js';
import type { Descriptor, ImageIndex } from '../oci-types.js';
import type { PlatformWant } from '../parse/platform.js';
import { forEachConcurrently } from './for-each-concurrently.js';
import type { ImageSink } from './image-sink.js';
import type { ImageSource, ResolvedImage } from './image-source.js';
import { readIndex, resolveImage } from './resolve-image.js';

/** Options of {@link copyImage}. */
export interface CopyImageOptions {
  /** The source tag (default: the source's only image). */
  tag?: string | undefined;
  /** The platform to pick from a multi-platform source (default: the resolver's). */
  platform?: PlatformWant | undefined;
  /** The tag in the sink (default: the sink's own). */
  targetTag?: string | undefined;
  /**
   * Called with the layer bytes copied so far; the copy waits for a returned promise (a turn of
   * the event loop, say), and a throw or rejection stops it before anything is published.
   */
  onProgress?: ((bytes: number) => void | Promise<void>) | undefined;
  /** Checked before anything is published: an aborted copy publishes nothing. */
  signal?: AbortSignal | undefined;
  /** Called with the image once it is resolved, before any blob is copied. */
  onResolved?: ((image: ResolvedImage) => void) | undefined;
}

/** A copy that failed on the network is worth repeating whole: its source can be read again. */
const COPY_ATTEMPTS = 3;
const TRANSIENT_CODES: ReadonlySet<string> = new Set(['REGISTRY_UNREACHABLE', 'REGISTRY_TIMEOUT']);

/**
 * Streams into `sink` every layer blob of `layers` it does not hold yet, verified on read and
 * checked against its descriptor on write, as many at once as the sink takes. A registry sink
 * mounts what lives in the source's repository of the same registry instead of receiving it; a
 * blob whose transfer broke off (connection lost, stalled) is copied again from its start, up
 * to 3 times. Non-distributable layers absent from the source are skipped (R6 of
 * docs/threat-model.md: absent by design;
 * sinks accept them missing). `onProgress` is as in {@link CopyImageOptions} (all layers together).
 */
export async function copyLayerBlobs(
  source: Pick<ImageSource, 'blobs' | 'origin'>,
  sink: ImageSink,
  layers: readonly Descriptor[],
  onProgress?: (bytes: number) => void | Promise<void>,
): Promise<void> {
  let copied = 0;
  const transfer = async (layer: Descriptor) => {
    // The source verifies what it streams: the sink need not hash the same bytes again.
    const writer = sink.blobs.writer(layer);
    let sent = 0;
    try {
      for await (const chunk of source.blobs.stream(layer)) {
        await writer.write(chunk);
        sent += chunk.length;
        copied += chunk.length;
        await onProgress?.(copied);
      }
      await writer.commit(layer);
    } catch (error) {
      copied -= sent;
      await writer.abort();
      throw error;
    }
  };
  const copyOne = async (layer: Descriptor) => {
    if (await sink.blobs.has(layer.digest)) return;
    if (isNondistributableMediaType(layer.mediaType) && !(await source.blobs.has(layer.digest))) return;
    if (source.origin !== undefined && (await sink.blobs.mount?.(layer.digest, source.origin))) return;
    for (let attempt = 1; ; attempt++) {
      try {
        return await transfer(layer);
      } catch (error) {
        if (attempt === COPY_ATTEMPTS || !isLayerkitError(error) || !TRANSIENT_CODES.has(error.code))
          throw error;
      }
    }
  };
  // The same blob twice in one manifest is copied once.
  const unique = [...new Map(layers.map((layer) => [layer.digest, layer])).values()];
  await forEachConcurrently(unique, sink.maxConcurrentWrites ?? 1, copyOne);
}

/** How deep indexes may nest in a copy (as in resolving: R11). */
const MAX_INDEX_DEPTH = 4;

/**
 * Copies every image `index` lists (and nested indexes), publishing each untagged; returns
 * the index's entries for them.
 */
export async function copyIndexImages(
  source: ImageSource,
  sink: ImageSink,
  index: Raw<ImageIndex>,
  depth: number,
  onProgress: ((bytes: number) => void | Promise<void>) | undefined,
): Promise<Descriptor[]> {
  if (depth > MAX_INDEX_DEPTH) {
    throw new LayerkitError('INDEX_TOO_DEEP', `indexes nest more than ${MAX_INDEX_DEPTH} deep`, {
      limit: MAX_INDEX_DEPTH,
    });
  }
  let before = 0;
  let copied = 0;
  const progress =
    onProgress &&
    ((bytes: number) => {
      copied = before + bytes;
      return onProgress(copied);
    });
  const published: Descriptor[] = [];
  for (const child of index.value.manifests) {
    before = copied;
    if (isIndexMediaType(child.mediaType)) {
      const nested = await readIndex(source.blobs, child);
      await copyIndexImages(source, sink, nested, depth + 1, progress);
      published.push(await sink.publishIndex(nested, { untagged: true }));
      continue;
    }
    const image = await resolveImage(source.blobs, child, undefined);
    await copyLayerBlobs(source, sink, image.manifest.value.layers, progress);
    await sink.publish(image, { untagged: true });
    // The manifest is copied byte for byte: the index's own entry (platform, annotations such
    // as an attestation's reference) describes the copy as well as the original.
    published.push(child);
  }
  return published;
}

/**
 * Copies everything `options.tag` names — one image, or an index with every image it lists
 * (skopeo's `copy --all`) — and publishes it: the images untagged first, the index, byte for
 * byte, last. Returns the descriptor the tag now points at.
 */
export async function copyAll(
  source: ImageSource,
  sink: ImageSink,
  options: Omit<CopyImageOptions, 'platform'> = {},
): Promise<Descriptor> {
  const root = await source.root(options.tag);
  if (!isIndexMediaType(root.mediaType)) return copyImage(source, sink, options);
  const index = await readIndex(source.blobs, root);
  await copyIndexImages(source, sink, index, 1, options.onProgress);
  options.signal?.throwIfAborted();
  return sink.publishIndex(index, { tag: options.targetTag });
}

/** Copies one image from `source` to `sink` and publishes it; returns the manifest descriptor. */
export async function copyImage(
  source: ImageSource,
  sink: ImageSink,
  options: CopyImageOptions = {},
): Promise<Descriptor> {
  const image = await source.resolve(options.tag, options.platform);
  options.onResolved?.(image);
  await copyLayerBlobs(source, sink, image.manifest.value.layers, options.onProgress);
  options.signal?.throwIfAborted();
  return sink.publish(image, { tag: options.targetTag });
}
