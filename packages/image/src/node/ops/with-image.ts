/**
 * Scoped access to image stores: a source is always closed, and a sink is closed on success
 * (making its result visible) or aborted on failure (leaving the destination as it was).
 */
import type { PlatformWant } from '../../parse/platform.js';
import type { ImageSink } from '../../store/image-sink.js';
import type { ImageSource, ResolvedImage } from '../../store/image-source.js';
import { type OpenImageOptions, openImageSink, openImageSource } from '../store/open-image.js';
import { type ImageRefLike, toImageReference } from './image-ref.js';
import { type LenientReadOptions, warnIfClientsReject } from './lenient-read.js';

/** Opens `ref` for reading, runs `use`, and closes the source. */
export async function withSource<T>(
  ref: ImageRefLike,
  options: OpenImageOptions,
  use: (source: ImageSource) => Promise<T>,
): Promise<T> {
  const source = await openImageSource(toImageReference(ref), options);
  try {
    return await use(source);
  } finally {
    await source.close();
  }
}

/**
 * Opens `ref` for reading, resolves its image (for `options.platform`), warns through
 * `options.onWarning` when a mainstream client would refuse it, runs `use`, and closes the source.
 */
export async function withSourceImage<T>(
  ref: ImageRefLike,
  options: OpenImageOptions & LenientReadOptions & { platform?: PlatformWant | undefined },
  use: (source: ImageSource, image: ResolvedImage) => Promise<T>,
): Promise<T> {
  return withSource(ref, options, async (source) => {
    const image = await source.resolve(undefined, options.platform);
    warnIfClientsReject(image, options.onWarning);
    return use(source, image);
  });
}

/** Opens `ref` for writing, runs `use`, then closes (commits) the sink — or aborts it on failure. */
export async function withSink<T>(
  ref: ImageRefLike,
  options: OpenImageOptions,
  use: (sink: ImageSink) => Promise<T>,
): Promise<T> {
  const sink = await openImageSink(toImageReference(ref), options);
  let result: T;
  try {
    result = await use(sink);
  } catch (error) {
    await sink.abort();
    throw error;
  }
  await sink.close();
  return result;
}
