/**
 * `convert`: copies one image between formats (OCI layout, oci-archive, docker-archive). Blobs
 * are copied byte for byte — never recompressed — so manifest, config and layer digests survive.
 */
import type { Descriptor } from '../../oci-types.js';
import type { PlatformWant } from '../../parse/platform.js';
import { type CopyImageOptions, copyImage } from '../../store/copy-image.js';
import type { OpenImageOptions } from '../store/open-image.js';
import { eventLoopTurns } from './event-loop-turns.js';
import type { ImageRefLike } from './image-ref.js';
import { withSink, withSource } from './with-image.js';

/** Options of {@link convert}. */
export interface ConvertOptions extends OpenImageOptions {
  /** The platform to pick from a multi-platform source (default: the host's). */
  platform?: PlatformWant;
  /** Called with the layer bytes copied so far; a throw cancels the copy (nothing is published). */
  onProgress?: (bytes: number) => void;
}

/** Copies the image `from` names into `to`; returns the manifest descriptor written. */
export async function convert(
  from: ImageRefLike,
  to: ImageRefLike,
  options: ConvertOptions = {},
): Promise<Descriptor> {
  const turn = eventLoopTurns();
  const copyOptions: CopyImageOptions = {
    onProgress: (bytes) => {
      options.onProgress?.(bytes);
      return turn(bytes);
    },
  };
  if (options.platform !== undefined) copyOptions.platform = options.platform;
  return withSource(from, options, (source) =>
    withSink(to, options, (sink) => copyImage(source, sink, copyOptions)),
  );
}
