/**
 * `appendLayer`: `crane append` — a ready-made layer tar (plain, gzip or zstd) on top of an
 * image. The file is first read through the strict tar reader (a layer that is not a valid
 * tar, or whose names escape the root or are bad whiteouts, is refused before anything is
 * written); then it is decompressed, hashed for its DiffID and recompressed in one pass.
 */
import { createReadStream } from 'node:fs';
import { layerEntriesFromTar } from '@layerkit/diff';
import { decompressAuto, writeLayerBlob } from '@layerkit/digest';
import { nodeRuntime } from '@layerkit/digest/node';
import type { PlatformWant } from '../../parse/platform.js';
import type { OpenImageOptions } from '../store/open-image.js';
import type { ImageRefLike } from './image-ref.js';
import { checkStepMetadata, publishStep, type StepMetadata, type StepResult } from './image-step.js';
import { type LayerOptions, layerBlobOptions } from './layer-from-tree-diff.js';
import { withSink, withSourceImage } from './with-image.js';

/** Options of {@link appendLayer}. */
export interface AppendOptions
  extends StepMetadata,
    OpenImageOptions,
    Pick<LayerOptions, 'compression' | 'level'> {
  base: ImageRefLike;
  /** The layer tar file (compression is detected from its magic bytes). */
  layer: string;
  dest: ImageRefLike;
  platform?: PlatformWant;
}

/** The layer file's uncompressed tar stream. */
async function layerFileTar(file: string): Promise<AsyncIterable<Uint8Array>> {
  const { stream } = await decompressAuto(createReadStream(file, { highWaterMark: 1 << 20 }), nodeRuntime);
  return stream;
}

/** Reads the whole layer file through the strict tar reader; throws its typed error naming the entry. */
async function checkLayerFile(file: string): Promise<void> {
  for await (const _entry of layerEntriesFromTar(await layerFileTar(file))) {
    // Reading every header is the check; bodies are skipped.
  }
}

/** Appends the layer file to `base` and publishes the result in `dest`. */
export async function appendLayer(options: AppendOptions): Promise<StepResult> {
  checkStepMetadata(options);
  await checkLayerFile(options.layer);
  return withSourceImage(options.base, options, async (source, image) =>
    withSink(options.dest, options, async (sink) => {
      const layer = await writeLayerBlob(
        await layerFileTar(options.layer),
        layerBlobOptions(sink.blobs, options),
      );
      const base = { config: image.config.value, layers: image.manifest.value.layers, source };
      return publishStep(base, sink, layer, options);
    }),
  );
}
