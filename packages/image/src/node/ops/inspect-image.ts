/**
 * `inspectImage`: what `skopeo inspect --raw` / `--config` and `docker image inspect` read — one
 * image's manifest and config, verified against their digests, parsed, and with their exact
 * stored bytes. No layer is read.
 */
import type { PlatformWant } from '../../parse/platform.js';
import type { ResolvedImage } from '../../store/image-source.js';
import type { OpenImageOptions } from '../store/open-image.js';
import type { ImageRefLike } from './image-ref.js';
import { withSourceImage } from './with-image.js';

/** Options of {@link inspectImage}. */
export interface InspectImageOptions extends OpenImageOptions {
  /** The platform to pick from a multi-platform image (default: the host's). */
  platform?: PlatformWant | undefined;
}

/**
 * Resolves the image `ref` names (for a multi-platform image, the manifest of `platform`) and
 * returns its manifest descriptor, manifest and config, each config and manifest with its exact
 * bytes and digest (`Raw`): print `config.bytes` to show what is stored, read `config.value` for
 * the fields.
 */
export async function inspectImage(
  ref: ImageRefLike,
  options: InspectImageOptions = {},
): Promise<ResolvedImage> {
  return withSourceImage(ref, options, async (_source, image) => image);
}
