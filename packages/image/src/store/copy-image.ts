/**
 * Copying one image between any two stores: layers are streamed (verified on read, checked
 * against their descriptor on write), then the manifest and config are published unchanged,
 * so every digest survives the copy.
 */
import { isNondistributableMediaType } from '../media-types.js';
import type { Descriptor } from '../oci-types.js';
import type { PlatformWant } from '../parse/platform.js';
import type { ImageSink } from './image-sink.js';
import type { ImageSource } from './image-source.js';

/** Options of {@link copyImage}. */
export interface CopyImageOptions {
  /** The source tag (default: the source's only image). */
  tag?: string;
  /** The platform to pick from a multi-platform source (default: the resolver's). */
  platform?: PlatformWant;
  /** The tag in the sink (default: the sink's own). */
  targetTag?: string;
  /**
   * Called with the layer bytes copied so far; the copy waits for a returned promise (a turn of
   * the event loop, say), and a throw or rejection stops it before anything is published.
   */
  onProgress?: (bytes: number) => void | Promise<void>;
}

/** Copies one image from `source` to `sink` and publishes it; returns the manifest descriptor. */
export async function copyImage(
  source: ImageSource,
  sink: ImageSink,
  options: CopyImageOptions = {},
): Promise<Descriptor> {
  const image = await source.resolve(options.tag, options.platform);
  let copied = 0;
  for (const layer of image.manifest.value.layers) {
    if (await sink.blobs.has(layer.digest)) continue;
    // Non-distributable layers are often absent by design (R6); the sink accepts them missing.
    if (isNondistributableMediaType(layer.mediaType) && !(await source.blobs.has(layer.digest))) continue;
    const writer = sink.blobs.writer();
    try {
      for await (const chunk of source.blobs.stream(layer)) {
        await writer.write(chunk);
        copied += chunk.length;
        await options.onProgress?.(copied);
      }
      await writer.commit(layer);
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }
  return sink.publish(image, options.targetTag === undefined ? {} : { tag: options.targetTag });
}
