/**
 * Choosing one image among those a store holds (an OCI layout's `index.json`, a docker-archive's
 * `manifest.json`): by tag, by position, or the only one. Every failure lists the tags there are.
 */
import { LayerkitError } from '@layerkit/digest';

/** Which image to pick: by tag (`matches` decides; default: equal strings), by position, or the only one. */
export type ImageWanted = { tag: string; matches?: (tag: string) => boolean } | { index: number } | undefined;

/** The images of one store, as the picker sees them. */
export interface PickableImages<T> {
  /** The store, for messages (a directory or archive path). */
  location: string;
  /** The images, in the store's order. */
  images: readonly T[];
  /** The tags an image answers to, as the store writes them. */
  tagsOf(image: T): readonly string[];
}

/**
 * The image `wanted` names in `store`: the first one carrying the tag (image-layout.md's
 * first-match rule), the one at the position,
 * or, with nothing wanted, the only image. Throws `TAG_NOT_FOUND`, `IMAGE_NOT_FOUND` (an empty
 * store, a position past the end) or `TAG_REQUIRED` (several images), listing the tags there are.
 */
export function pickImage<T>(store: PickableImages<T>, wanted: ImageWanted): T {
  const { location, images } = store;
  const tags = [...new Set(images.flatMap((image) => store.tagsOf(image)))];
  const known = `tags: ${tags.join(', ') || 'none'}`;
  if (wanted !== undefined && 'index' in wanted) {
    const image = images[wanted.index];
    if (image === undefined) {
      throw new LayerkitError(
        'IMAGE_NOT_FOUND',
        `${location} has no image @${wanted.index}: it holds ${images.length} (${known})`,
        { location, index: wanted.index, tags },
      );
    }
    return image;
  }
  if (wanted !== undefined) {
    const matches = wanted.matches ?? ((tag: string) => tag === wanted.tag);
    const image = images.find((candidate) => store.tagsOf(candidate).some(matches));
    if (image === undefined) {
      throw new LayerkitError(
        'TAG_NOT_FOUND',
        `no image tagged ${JSON.stringify(wanted.tag)} in ${location} (${known})`,
        { location, tag: wanted.tag, tags },
      );
    }
    return image;
  }
  const only = images[0];
  if (only === undefined) {
    throw new LayerkitError('IMAGE_NOT_FOUND', `${location} holds no image`, { location, tags });
  }
  if (images.length > 1) {
    throw new LayerkitError(
      'TAG_REQUIRED',
      `${location} holds ${images.length} images; name one (${known})`,
      { location, tags },
    );
  }
  return only;
}
