/**
 * `appendLayer`: `crane append` — a ready-made layer tar (plain, gzip or zstd) on top of an
 * image. The tar is decompressed, hashed for its DiffID and recompressed in one pass.
 */
import { createReadStream } from 'node:fs';
import { decompressAuto, writeLayerBlob } from '@layerkit/digest';
import { nodeRuntime } from '@layerkit/digest/node';
import type { PlatformWant } from '../../parse/platform.js';
import type { ImageRefLike } from './image-ref.js';
import { checkStepMetadata, publishStep, type StepMetadata, type StepResult } from './image-step.js';
import { type LayerOptions, layerBlobOptions } from './layer-from-tree-diff.js';
import { withSink, withSourceImage } from './with-image.js';

/** Options of {@link appendLayer}. */
export interface AppendOptions extends StepMetadata, Pick<LayerOptions, 'compression' | 'level'> {
  base: ImageRefLike;
  /** The layer tar file (compression is detected from its magic bytes). */
  layer: string;
  dest: ImageRefLike;
  platform?: PlatformWant;
}

/** Appends the layer file to `base` and publishes the result in `dest`. */
export async function appendLayer(options: AppendOptions): Promise<StepResult> {
  checkStepMetadata(options);
  return withSourceImage(options.base, options.platform, async (source, image) =>
    withSink(options.dest, async (sink) => {
      const { stream } = await decompressAuto(
        createReadStream(options.layer, { highWaterMark: 1 << 20 }),
        nodeRuntime,
      );
      const layer = await writeLayerBlob(stream, layerBlobOptions(sink.blobs, options));
      const base = { config: image.config.value, layers: image.manifest.value.layers, source };
      return publishStep(base, sink, layer, options);
    }),
  );
}
