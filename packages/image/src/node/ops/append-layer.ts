/**
 * `appendLayer`: `crane append` — a ready-made layer tar (plain, gzip or zstd; from a file, a
 * FIFO, stdin or any stream) on top of an image, read once: decompressed, checked by the strict
 * tar reader (names that escape the root, bad whiteouts, a stream that is no tar), hashed for
 * its DiffID and recompressed in one pass. Nothing is published unless all of it is valid.
 */
import { checkedLayerTar } from '@layerkit/diff/internal';
import { decompressAuto, type LayerBlob, writeLayerBlob } from '@layerkit/digest';
import { nodeRuntime } from '@layerkit/digest/node';
import type { PlatformWant } from '../../parse/platform.js';
import type { OpenImageOptions } from '../store/open-image.js';
import { countedBytes } from './event-loop-turns.js';
import type { ImageRefLike } from './image-ref.js';
import { checkStepMetadata, publishStep, type StepMetadata, type StepResult } from './image-step.js';
import { type LayerOptions, type LayerStore, layerBlobOptions } from './layer-from-tree-diff.js';
import { type LayerSource, layerSourceBytes } from './layer-source.js';
import { bytesReporter } from './progress.js';
import { withSink, withSourceImage } from './with-image.js';

/** Options of {@link appendLayer}. */
export interface AppendOptions
  extends StepMetadata,
    OpenImageOptions,
    Pick<LayerOptions, 'compression' | 'level' | 'deflate' | 'onProgress'> {
  /** The image to add the layer to. */
  base: ImageRefLike;
  /** The layer tar (compression is detected from its magic bytes), read once. */
  layer: LayerSource;
  /** Where the new image goes; may be the base's layout with another tag. */
  dest: ImageRefLike;
  /** The platform to pick from a multi-platform base (default: the host's). */
  platform?: PlatformWant | undefined;
}

/**
 * Writes the layer tar `source` holds into `store` as a layer blob, in one pass: decompressed
 * (whatever its compression), checked header by header by the strict tar reader, hashed for its
 * DiffID and compressed again as `options` asks. A source that is empty or not a valid layer
 * fails before the blob is committed.
 */
export async function tarLayerBlob(
  source: LayerSource,
  store: LayerStore,
  options: Pick<LayerOptions, 'compression' | 'level' | 'deflate' | 'onProgress' | 'signal'>,
): Promise<LayerBlob> {
  const { stream } = await decompressAuto(layerSourceBytes(source), nodeRuntime);
  const tar = countedBytes(checkedLayerTar(stream), bytesReporter(options, 'layer'));
  return writeLayerBlob(tar, layerBlobOptions(store, options));
}

/** Appends the layer tar to `base` and publishes the result in `dest`. */
export async function appendLayer(options: AppendOptions): Promise<StepResult> {
  checkStepMetadata(options);
  return withSourceImage(options.base, options, async (source, image) =>
    withSink(options.dest, options, async (sink) => {
      const layer = await tarLayerBlob(options.layer, sink.blobs, options);
      const base = { config: image.config.value, layers: image.manifest.value.layers, source };
      return publishStep(base, sink, layer, options);
    }),
  );
}
