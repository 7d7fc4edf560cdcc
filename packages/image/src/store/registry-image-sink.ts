/**
 * A repository in a registry as an {@link ImageSink}. The order is the layout's: blobs first
 * (skipped when the registry has them, mounted from another repository of the same registry
 * when it can, else uploaded in chunks while they are produced), then the config, and the
 * manifest last — its PUT under the tag is the commit point, so a push that dies half-way
 * leaves the tag where it was.
 */
import type { BlobRef, BlobWriter, Digest } from '@layerkit/digest';
import { LayerkitError } from '@layerkit/digest';
import type { RegistryClient } from '@layerkit/registry';
import type { Raw } from '../json/raw.js';
import { MediaTypes } from '../media-types.js';
import type { Descriptor, ImageIndex } from '../oci-types.js';
import type { BlobWriteStore } from './blob-reader.js';
import { configPlatform } from './config-platform.js';
import type { ImageSink, ImageToPublish, PublishOptions } from './image-sink.js';
import type { RegistryLocation } from './image-source.js';

/** Options of {@link registryImageSink}. */
export interface RegistrySinkOptions {
  /** The tag `publish` points at the image; absent: the image is stored by digest only. */
  tag?: string | undefined;
  signal?: AbortSignal | undefined;
}

const TAG = /^\w[\w.-]{0,127}$/;

function checkTag(tag: string): string {
  if (!TAG.test(tag)) {
    throw new LayerkitError(
      'INVALID_REFERENCE',
      `invalid tag ${JSON.stringify(tag.slice(0, 200))} for a registry`,
      {
        tag: tag.slice(0, 200),
      },
    );
  }
  return tag;
}

/**
 * A writer that opens its upload session on first use: `BlobWriteStore.writer()` is synchronous,
 * and a commit that turns out to add no layer must not leave a session behind.
 */
function lazyWriter(open: () => Promise<BlobWriter>): BlobWriter {
  let writer: Promise<BlobWriter> | undefined;
  const opened = () => {
    writer ??= open();
    return writer;
  };
  return {
    write: async (chunk) => (await opened()).write(chunk),
    commit: async (expected?: BlobRef) => (await opened()).commit(expected),
    abort: async () => {
      if (writer !== undefined) await (await writer.catch(() => undefined))?.abort();
    },
  };
}

/** Opens `repository` of `client`'s registry for writing. */
export function registryImageSink(
  client: RegistryClient,
  repository: string,
  options: RegistrySinkOptions = {},
): ImageSink {
  const { signal } = options;
  if (options.tag !== undefined) checkTag(options.tag);
  /** The tag a publish moves: its own, else the sink's; none for an index's image. */
  const tagFor = (publish: PublishOptions) =>
    publish.untagged ? undefined : publish.tag === undefined ? options.tag : checkTag(publish.tag);
  const blobs: BlobWriteStore = {
    has: (digest) => client.hasBlob(repository, digest, { signal }),
    put: (bytes) => client.pushBlob(repository, bytes, undefined, { signal }),
    writer: (known) => lazyWriter(() => client.blobWriter(repository, { known, signal })),
    async mount(digest: Digest, from: RegistryLocation): Promise<boolean> {
      if (from.registry !== client.registry || from.repository === repository) return false;
      return client.mountBlob(repository, digest, from.repository, { signal });
    },
  };
  return {
    blobs,
    // Uploads overlap request latency; each holds at most two chunks in memory.
    maxConcurrentWrites: 4,
    async publish(image: ImageToPublish, publishOptions: PublishOptions = {}): Promise<Descriptor> {
      const tag = tagFor(publishOptions);
      const { manifest, config } = image;
      await client.pushBlob(repository, config.bytes, manifest.value.config, { signal });
      const mediaType = manifest.value.mediaType ?? MediaTypes.ociManifest;
      // The registry checks that every referenced blob is there (MANIFEST_BLOB_UNKNOWN otherwise).
      const digest = await client.putManifest(repository, tag ?? manifest.digest, manifest.bytes, mediaType, {
        signal,
      });
      return {
        mediaType,
        digest,
        size: manifest.bytes.length,
        platform: image.platform ?? configPlatform(config.value),
      };
    },
    async publishIndex(index: Raw<ImageIndex>, publishOptions: PublishOptions = {}): Promise<Descriptor> {
      const tag = tagFor(publishOptions);
      const mediaType = index.value.mediaType ?? MediaTypes.ociIndex;
      // The registry checks that every listed manifest is there (MANIFEST_BLOB_UNKNOWN otherwise).
      const digest = await client.putManifest(repository, tag ?? index.digest, index.bytes, mediaType, {
        signal,
      });
      return { mediaType, digest, size: index.bytes.length };
    },
    close: async () => {},
    abort: async () => {},
  };
}
