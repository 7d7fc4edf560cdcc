/**
 * `publish` and `publishIndex` of an archive sink, whatever holds its bytes (a file in `./node`,
 * memory here): documents go into the blobs, and each tag's latest image is remembered for the
 * format's trailing members (`index.json`, `manifest.json`).
 */
import { LayerkitError } from '@layerkit/digest';
import type { Raw } from '../json/raw.js';
import type { Descriptor, ImageIndex } from '../oci-types.js';
import type { ArchivedImage, ArchiveFormat } from './archive-format.js';
import type { BlobWriteStore } from './blob-reader.js';
import type { ImageSink, ImageToPublish, PublishOptions } from './image-sink.js';
import { storeImageDocuments } from './store-image-documents.js';
import { storeIndexDocument } from './store-index-document.js';

/** The publishing half of an archive sink and the images published so far. */
export interface ArchivePublisher extends Pick<ImageSink, 'publish' | 'publishIndex'> {
  /** One entry per tag (a re-used tag replaces), untagged ones too, in publish order. */
  images(): readonly ArchivedImage[];
}

/**
 * Publishes into `blobs` for an archive of `format` whose default tag is `tag`; `where` (the
 * archive's path) goes into error messages.
 */
export function archivePublisher(
  blobs: BlobWriteStore,
  format: ArchiveFormat,
  tag: string | undefined,
  where: string,
): ArchivePublisher {
  if (tag !== undefined) format.checkTag(tag);
  let images: ArchivedImage[] = [];
  const remember = (published: ArchivedImage) => {
    images = [
      ...images.filter((other) => published.tag === undefined || other.tag !== published.tag),
      published,
    ];
  };
  return {
    images: () => images,
    async publish(image: ImageToPublish, options: PublishOptions = {}): Promise<Descriptor> {
      if (options.untagged) return storeImageDocuments(blobs, image);
      const imageTag = options.tag ?? tag;
      if (imageTag !== undefined) format.checkTag(imageTag);
      const descriptor = await storeImageDocuments(blobs, image);
      remember({ descriptor, manifest: image.manifest.value, tag: imageTag });
      return descriptor;
    },
    async publishIndex(index: Raw<ImageIndex>, options: PublishOptions = {}): Promise<Descriptor> {
      if (format.refusesIndexes !== undefined) {
        throw new LayerkitError('UNSUPPORTED_INDEX', `${where}: ${format.refusesIndexes}`, { path: where });
      }
      if (options.untagged) return storeIndexDocument(blobs, index);
      const indexTag = options.tag ?? tag;
      if (indexTag !== undefined) format.checkTag(indexTag);
      const descriptor = await storeIndexDocument(blobs, index);
      remember({ descriptor, manifest: undefined, tag: indexTag });
      return descriptor;
    },
  };
}
