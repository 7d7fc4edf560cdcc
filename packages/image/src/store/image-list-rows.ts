/**
 * The `layerkit images` rows of one stored descriptor (an `index.json` entry, a registry tag): an
 * image manifest is one image; an index is one image per platform (attestations left out, nested
 * indexes walked). Every document is read verified and parsed strictly, as when resolving.
 */
import { LayerkitError } from '@layerkit/digest';
import type { ImageListRow } from '@layerkit/history';
import { isIndexMediaType } from '../media-types.js';
import type { Descriptor, ImageConfig, ImageManifest, Platform } from '../oci-types.js';
import { isAttestationEntry, platformText } from '../parse/platform.js';
import type { BlobReader } from './blob-reader.js';
import { configPlatform } from './config-platform.js';
import type { ListedName } from './listed-name.js';
import { readIndex, resolveImage } from './resolve-image.js';

/** Indexes nested deeper than this are refused (`INDEX_TOO_DEEP`), as when publishing. */
const MAX_INDEX_DEPTH = 4;

/** One image as listed: what a row shows besides the name. */
export interface ListedImage {
  /** The config digest: the image ID. */
  id: string;
  /** The manifest digest, when there is a manifest. */
  digest?: string;
  /** The config's `created`. */
  created?: string;
  /** The sum of the layer sizes. */
  size: number;
  /** `os/arch[/variant]`, for a platform of a multi-platform tag. */
  platform?: string;
}

/** The listed image of a manifest and its config (`platform` set for a platform of an index). */
export function listedImage(
  config: { digest: string; value: ImageConfig },
  layers: readonly { size: number }[],
  manifestDigest?: string,
  platform?: string,
): ListedImage {
  const image: ListedImage = { id: config.digest, size: layers.reduce((sum, layer) => sum + layer.size, 0) };
  if (manifestDigest !== undefined) image.digest = manifestDigest;
  if (config.value.created !== undefined) image.created = config.value.created;
  if (platform !== undefined) image.platform = platform;
  return image;
}

/** The rows of `images` under each of `names` (names outer, images inner). */
export function rowsOf(names: readonly ListedName[], images: readonly ListedImage[]): ImageListRow[] {
  return names.flatMap((name) => images.map((image) => ({ ...name, ...image })));
}

/** The images `descriptor` stands for: itself, or every platform image of an index. */
export async function listedImagesOf(
  blobs: BlobReader,
  descriptor: Descriptor,
  depth = 0,
  platform?: Platform,
): Promise<ListedImage[]> {
  if (isIndexMediaType(descriptor.mediaType)) {
    if (depth >= MAX_INDEX_DEPTH)
      throw new LayerkitError('INDEX_TOO_DEEP', `index ${descriptor.digest} nests too deep`, {
        digest: descriptor.digest,
      });
    const index = await readIndex(blobs, descriptor);
    const images: ListedImage[] = [];
    for (const child of index.value.manifests) {
      if (isAttestationEntry(child)) continue;
      images.push(...(await listedImagesOf(blobs, child, depth + 1, child.platform ?? platform)));
    }
    return images;
  }
  const { manifest, config } = await resolveImage(blobs, descriptor, undefined);
  const layers: ImageManifest['layers'] = manifest.value.layers;
  const shownPlatform = depth === 0 ? undefined : platformText(platform ?? configPlatform(config.value));
  return [listedImage(config, layers, descriptor.digest, shownPlatform)];
}
