/**
 * From one descriptor (an `index.json` entry) down to a single image: nested indexes are
 * walked choosing one platform (`resolvePlatformManifest`: caps and memoization, R11, R19);
 * every document is read verified and parsed from exactly those bytes (R21).
 * Threat ids (Rn) are those of docs/threat-model.md#read.
 */
import { LayerkitError } from '@layerkit/digest';
import type { Raw } from '../json/raw.js';
import { checkJsonSize, JsonSizeLimits } from '../json/strict-parse.js';
import { isIndexMediaType, isManifestMediaType } from '../media-types.js';
import type { Descriptor, ImageIndex } from '../oci-types.js';
import { parseConfig } from '../parse/config.js';
import { parseIndex } from '../parse/index-document.js';
import { parseManifest } from '../parse/manifest.js';
import { type PlatformWant, type ResolveLimits, resolvePlatformManifest } from '../parse/platform.js';
import type { BlobReader } from './blob-reader.js';
import type { ResolvedImage } from './image-source.js';

/** Resolves `descriptor` to one manifest and its config, choosing `platform` in every index. */
export async function resolveImage(
  blobs: BlobReader,
  descriptor: Descriptor,
  platform: PlatformWant | undefined,
  limits: ResolveLimits = {},
): Promise<ResolvedImage> {
  let current = descriptor;
  if (isIndexMediaType(descriptor.mediaType)) {
    const root = await readIndex(blobs, descriptor);
    const load = async (nested: Descriptor) => (await readIndex(blobs, nested)).value;
    const chosen = await resolvePlatformManifest(root.value, load, platform, limits);
    if (chosen === undefined) {
      throw new LayerkitError(
        'PLATFORM_NOT_FOUND',
        `index ${descriptor.digest} has no image for the requested platform`,
        {
          digest: descriptor.digest,
          platform,
        },
      );
    }
    current = chosen;
  }
  if (!isManifestMediaType(current.mediaType)) {
    throw new LayerkitError(
      'UNSUPPORTED_MEDIA_TYPE',
      `${current.digest} has media type ${current.mediaType}, not an image manifest or index`,
      {
        digest: current.digest,
        mediaType: current.mediaType,
      },
    );
  }
  const manifestBytes = await readJsonBlob(blobs, current, JsonSizeLimits.manifest);
  const manifest = parseManifest(manifestBytes, current);
  // parseConfig refuses config media types it must not parse (UNSUPPORTED_MEDIA_TYPE).
  const configDescriptor = manifest.value.config;
  const configBytes = await readJsonBlob(blobs, configDescriptor, JsonSizeLimits.config);
  const config = parseConfig(configBytes, configDescriptor);
  return { manifestDescriptor: current, manifest, config };
}

/** Reads and parses an index blob (verified). */
export async function readIndex(blobs: BlobReader, descriptor: Descriptor): Promise<Raw<ImageIndex>> {
  return parseIndex(await readJsonBlob(blobs, descriptor, JsonSizeLimits.index), descriptor);
}

/**
 * Reads a JSON document blob, refusing before any read when its descriptor claims more than
 * `maxBytes` (R3); the blob reader then checks the real size and digest (R2).
 */
export async function readJsonBlob(
  blobs: Pick<BlobReader, 'get'>,
  descriptor: Descriptor,
  maxBytes: number,
): Promise<Uint8Array> {
  checkJsonSize(descriptor.size, maxBytes, descriptor.digest);
  return blobs.get(descriptor);
}
