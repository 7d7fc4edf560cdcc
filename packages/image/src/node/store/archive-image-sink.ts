/**
 * An {@link ImageSink} that writes an archive in one pass: directory members, then every
 * blob as it is stored, and at `close` the format's index files (last), the end blocks, an
 * fsync and the rename of a temporary sibling to `<file>`. Until then nothing is visible
 * at the target path; `abort` (or any failure in `close`) removes the temp file.
 */
import { type DigestRuntime, LayerkitError } from '@layerkit/digest';
import type { Raw } from '../../json/raw.js';
import { MediaTypes } from '../../media-types.js';
import type { Descriptor, ImageIndex, ImageManifest } from '../../oci-types.js';
import type { ImageSink, ImageToPublish, PublishOptions } from '../../store/image-sink.js';
import { storeImageDocuments } from '../../store/store-image-documents.js';
import { storeIndexDocument } from '../../store/store-index-document.js';
import { ArchiveBlobStore } from './archive-blob-store.js';
import { ArchiveFileWriter } from './archive-file-writer.js';

/** An image (or, where the format holds them, an index) published into an archive, in publish order. */
export interface ArchivedImage {
  descriptor: Descriptor;
  /** Undefined for an index. */
  manifest: ImageManifest | undefined;
  /** The tag it was published under, if any. */
  tag: string | undefined;
}

/** What makes an archive one format or another: the members written after all blobs. */
export interface ArchiveFormat {
  /** Checks a tag before anything is stored (throws a LayerkitError). */
  checkTag(tag: string): void;
  /** Why this format cannot hold an index, when it cannot. */
  refusesIndexes?: string;
  /** The trailing members, in order; `images` holds one entry per tag (a re-used tag replaces). */
  trailer(images: readonly ArchivedImage[]): { name: string; bytes: Uint8Array }[];
}

/** Opens an archive sink writing `path` in `format`; `tag` is the default for `publish`. */
export function openArchiveSink(
  path: string,
  format: ArchiveFormat,
  tag: string | undefined,
  runtime: DigestRuntime,
): ImageSink {
  if (tag !== undefined) format.checkTag(tag);
  const archive = new ArchiveFileWriter(path);
  let images: ArchivedImage[] = [];
  try {
    archive.directory('blobs/');
    archive.directory('blobs/sha256/');
  } catch (error) {
    archive.abort();
    throw error;
  }
  const blobs = new ArchiveBlobStore(archive, runtime);
  return {
    blobs,
    ...(format.refusesIndexes === undefined ? {} : { refusesIndexes: format.refusesIndexes }),
    async publish(image: ImageToPublish, options: PublishOptions = {}): Promise<Descriptor> {
      if (options.untagged) return storeImageDocuments(blobs, image);
      const imageTag = options.tag ?? tag;
      if (imageTag !== undefined) format.checkTag(imageTag);
      const descriptor = await storeImageDocuments(blobs, image);
      const published = { descriptor, manifest: image.manifest.value, tag: imageTag };
      images = [...images.filter((other) => imageTag === undefined || other.tag !== imageTag), published];
      return descriptor;
    },
    async publishIndex(index: Raw<ImageIndex>, options: PublishOptions = {}): Promise<Descriptor> {
      if (format.refusesIndexes !== undefined) {
        throw new LayerkitError('UNSUPPORTED_INDEX', `${path}: ${format.refusesIndexes}`, { path });
      }
      if (options.untagged) return storeIndexDocument(blobs, index);
      const indexTag = options.tag ?? tag;
      if (indexTag !== undefined) format.checkTag(indexTag);
      const descriptor = await storeIndexDocument(blobs, index);
      const published = { descriptor, manifest: undefined, tag: indexTag };
      images = [...images.filter((other) => indexTag === undefined || other.tag !== indexTag), published];
      return descriptor;
    },
    async close() {
      try {
        for (const member of format.trailer(images)) archive.file(member.name, member.bytes);
        archive.commit();
      } catch (error) {
        archive.abort();
        throw error;
      }
    },
    async abort() {
      archive.abort();
    },
  };
}

/** The `index.json` of an archive: one descriptor per archived image, with extra annotations. */
export function archiveIndex(
  images: readonly ArchivedImage[],
  annotationsOf: (image: ArchivedImage) => Record<string, string>,
): ImageIndex {
  const manifests = images.map((image) => {
    const annotations = { ...image.descriptor.annotations, ...annotationsOf(image) };
    return Object.keys(annotations).length === 0 ? image.descriptor : { ...image.descriptor, annotations };
  });
  return { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests };
}
