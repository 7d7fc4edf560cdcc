/**
 * `imageHistory`: the rows of `docker history` for an image. SIZE is what Docker's classic
 * store reports for naive-diff layers: the sum of the regular files' sizes in the layer tar.
 */
import { readTar } from '@layerkit/diff';
import { TYPEFLAG } from '@layerkit/diff/internal';
import { type HistoryRows, historyRows } from '@layerkit/history';
import type { PlatformWant } from '../../parse/platform.js';
import type { ImageSource, ResolvedImage } from '../../store/image-source.js';
import type { OpenImageOptions } from '../store/open-image.js';
import { baseLayerOpeners } from './base-layers.js';
import type { ImageRefLike } from './image-ref.js';
import type { LenientReadOptions } from './lenient-read.js';
import { layerStreamReporter, type ProgressOptions } from './progress.js';
import { withSourceImage } from './with-image.js';

/** The content size of each layer of `image` (bottom first), read through each layer once. */
export async function layerContentSizes(
  source: ImageSource,
  image: ResolvedImage,
  options: ProgressOptions = {},
): Promise<number[]> {
  const sizes: number[] = [];
  const counted = layerStreamReporter(options, 'read', image.manifest.value.layers);
  for (const open of baseLayerOpeners(source, image, counted)) {
    let size = 0;
    for await (const entry of readTar(open())) {
      if (entry.header.typeflag === TYPEFLAG.file) size += entry.header.size;
    }
    sizes.push(size);
  }
  return sizes;
}

/** Options of {@link imageHistory}. */
export interface ImageHistoryOptions extends OpenImageOptions, ProgressOptions, LenientReadOptions {
  /** The platform to pick from a multi-platform image (default: the host's). */
  platform?: PlatformWant | undefined;
}

/**
 * History rows of the image `ref` names (newest first), with the mapping check
 * (R9, docs/threat-model.md#r9).
 */
export async function imageHistory(
  ref: ImageRefLike,
  options: ImageHistoryOptions = {},
): Promise<HistoryRows> {
  return withSourceImage(ref, options, async (source, image) => {
    const sizes = await layerContentSizes(source, image, options);
    return historyRows(
      image.config.value,
      (_diffID, index) => sizes[index] ?? 0,
      image.manifest.value.config.digest,
    );
  });
}
