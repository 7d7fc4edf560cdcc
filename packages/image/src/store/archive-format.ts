/**
 * What makes an image archive one format or another (oci-archive, docker-archive): the members
 * written after every blob, from the images published into it. Portable: the file writer in
 * `./node` and the in-memory oci-archive both use it.
 */
import { canonicalJson } from '../json/canonical.js';
import { MediaTypes } from '../media-types.js';
import type { Descriptor, ImageIndex, ImageManifest } from '../oci-types.js';
import { OCI_LAYOUT_HEADER } from '../parse/layout-header.js';
import { REF_NAME_ANNOTATION, validateRefName } from '../parse/ref-name.js';

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

/** `oci-layout` and `index.json`, after every blob. */
export const ociArchiveFormat: ArchiveFormat = {
  checkTag: (tag) => {
    validateRefName(tag);
  },
  trailer: (images) => [
    { name: 'oci-layout', bytes: OCI_LAYOUT_HEADER },
    {
      name: 'index.json',
      bytes: canonicalJson(
        archiveIndex(
          images,
          (image): Record<string, string> =>
            image.tag === undefined ? {} : { [REF_NAME_ANNOTATION]: image.tag },
        ),
      ),
    },
  ],
};
