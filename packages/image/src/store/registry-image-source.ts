/**
 * A repository in a registry as an {@link ImageSource}: a tag or digest resolves through the
 * manifest API (indexes walked for the platform exactly as in a layout), and blobs stream from
 * the blob API, verified as they arrive. Manifests and indexes are fetched by digest from the
 * manifest endpoint, everything else from the blob endpoint.
 */
import { type BlobRef, type Digest, isLayerkitError, LayerkitError } from '@layerkit/digest';
import { blobCorrupt, collectBytes } from '@layerkit/digest/internal';
import type { RegistryClient } from '@layerkit/registry';
import { isIndexMediaType, isManifestMediaType } from '../media-types.js';
import type { Descriptor } from '../oci-types.js';
import type { PlatformWant, ResolveLimits } from '../parse/platform.js';
import type { BlobReader } from './blob-reader.js';
import type { ImageSource, RegistryLocation, ResolvedImage } from './image-source.js';
import { resolveImage } from './resolve-image.js';

/** Options of {@link registryImageSource}. */
export interface RegistrySourceOptions {
  /** The platform chosen from multi-platform images when `resolve` names none. */
  platform?: PlatformWant | undefined;
  limits?: ResolveLimits | undefined;
  signal?: AbortSignal | undefined;
}

function isDocumentType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && (isManifestMediaType(mediaType) || isIndexMediaType(mediaType));
}

/**
 * Opens `repository` of `client`'s registry for reading; `resolve(reference)` takes a tag or a
 * digest (`sha256:…`).
 */
export function registryImageSource(
  client: RegistryClient,
  repository: string,
  options: RegistrySourceOptions = {},
): ImageSource {
  const { signal } = options;
  // Manifests fetched while resolving, by digest: `get` serves them without a second request.
  const documents = new Map<Digest, Uint8Array>();
  const origin: RegistryLocation = { registry: client.registry, repository };

  async function manifestBytes(ref: BlobRef): Promise<Uint8Array> {
    let bytes = documents.get(ref.digest);
    if (bytes === undefined) {
      bytes = (await client.getManifest(repository, ref.digest, { signal })).bytes;
      documents.set(ref.digest, bytes);
    }
    if (bytes.length !== ref.size) throw blobCorrupt(ref, `size ${bytes.length}, expected ${ref.size}`);
    return bytes;
  }

  /** The manifest or index `reference` (a tag or digest) names; its bytes are kept for `get`. */
  async function root(reference = 'latest'): Promise<Descriptor> {
    const { descriptor, bytes } = await client.getManifest(repository, reference, { signal });
    if (!isDocumentType(descriptor.mediaType)) {
      throw new LayerkitError(
        'UNSUPPORTED_MEDIA_TYPE',
        `${client.registry}/${repository}:${reference} is ${descriptor.mediaType}, not an image manifest or index`,
        { digest: descriptor.digest, mediaType: descriptor.mediaType },
      );
    }
    documents.set(descriptor.digest, bytes);
    return descriptor;
  }

  const blobs: BlobReader = {
    has: (digest) => client.hasBlob(repository, digest, { signal }),
    get: (ref) =>
      isDocumentType((ref as Partial<Descriptor>).mediaType)
        ? manifestBytes(ref)
        : collectBytes(client.fetchBlob(repository, ref, { signal })),
    stream: (ref) => client.fetchBlob(repository, ref, { signal }),
  };

  return {
    blobs,
    origin,
    root,
    async resolve(reference?: string, platform?: PlatformWant): Promise<ResolvedImage> {
      return resolveImage(blobs, await root(reference), platform ?? options.platform, options.limits);
    },
    async tags() {
      try {
        return await client.listTags(repository, { signal });
      } catch (error) {
        // A repository nobody pushed to has no tags (distribution answers NAME_UNKNOWN).
        if (isLayerkitError(error, 'IMAGE_NOT_FOUND')) return [];
        throw error;
      }
    },
    close: async () => {},
  };
}
