/**
 * `listImages`: what `docker image ls` shows, for an image store: an OCI layout, an oci-archive, a
 * docker-archive or a registry repository. One row per tag (per platform for a multi-platform tag;
 * untagged layout entries as `<none>`), newest first as Docker sorts them, optionally filtered by
 * name as `docker image ls nginx` is.
 */
import { LayerkitError } from '@layerkit/digest';
import { nodeRuntime } from '@layerkit/digest/node';
import type { ImageListRow } from '@layerkit/history';
import { familiarRepositoryName } from '@layerkit/registry';
import { formatImageReference, type ImageReference } from '../../reference/image-reference.js';
import { imageNameFilter } from '../../store/image-filter.js';
import { listLayoutImages } from '../../store/list-layout-images.js';
import { listRegistryImages } from '../../store/list-registry-images.js';
import { archiveLayoutAccess } from '../store/archive-layout-access.js';
import { openArchiveFile } from '../store/archive-members.js';
import { directoryLayoutAccess } from '../store/layout-directory.js';
import { listDockerArchiveImages } from '../store/list-docker-archive-images.js';
import { type OpenImageOptions, openImageSource } from '../store/open-image.js';
import { type ImageRefLike, toImageReference } from './image-ref.js';

/** Options of {@link listImages}. */
export interface ListImagesOptions extends OpenImageOptions {
  /**
   * Only images whose `REPOSITORY[:TAG]` matches, as `docker image ls nginx` filters: `nginx`,
   * `nginx:v2`, globs such as `ngi*` or `*:v?` (Go's `path.Match`); untagged images never match.
   */
  filter?: string | undefined;
}

/**
 * Lists the images of the store `location` names (`oci:DIR`, `oci-archive:FILE`,
 * `docker-archive:FILE`, `docker://HOST/REPO`): the rows `layerkit images` prints, sorted newest
 * first (images without a creation time last, ties in the store's order). `location` names a
 * whole store: a tag, name or digest in it is `INVALID_REFERENCE` (pass `filter`). Reading is
 * verified as everywhere (a corrupt manifest or config fails the listing).
 */
export async function listImages(
  location: ImageRefLike,
  options: ListImagesOptions = {},
): Promise<ImageListRow[]> {
  const reference = storeReference(location);
  const rows = await rowsOf(reference, options);
  const matches = options.filter === undefined ? undefined : imageNameFilter(options.filter);
  const kept = matches === undefined ? rows : rows.filter((row) => matches(row));
  // An absent or unreadable time sorts last, as Go's zero time does in the daemon's list.
  const createdAt = (row: ImageListRow) => {
    const millis = row.created === undefined ? Number.NaN : Date.parse(row.created);
    return Number.isNaN(millis) ? Number.NEGATIVE_INFINITY : millis;
  };
  return kept
    .map((row, position) => ({ row, position, created: createdAt(row) }))
    .sort((a, b) => (b.created === a.created ? a.position - b.position : b.created > a.created ? 1 : -1))
    .map(({ row }) => row);
}

/** `location` parsed, refused when it names one image rather than a store. */
function storeReference(location: ImageRefLike): ImageReference {
  const reference = toImageReference(location);
  const explicitRegistryTag =
    reference.transport === 'docker' && typeof location === 'string' && /:[^/]*$/.test(location.slice(9));
  const namesImage =
    reference.transport === 'docker'
      ? reference.digest !== undefined || explicitRegistryTag
      : reference.transport === 'docker-archive'
        ? reference.name !== undefined || reference.sourceIndex !== undefined
        : reference.tag !== undefined;
  if (namesImage) {
    const shown = typeof location === 'string' ? location : formatImageReference(reference);
    throw new LayerkitError(
      'INVALID_REFERENCE',
      `${shown} names one image: list a whole store (oci:DIR, oci-archive:FILE, docker-archive:FILE, docker://HOST/REPO) and filter by name`,
      { reference: shown },
    );
  }
  return reference;
}

async function rowsOf(reference: ImageReference, options: OpenImageOptions): Promise<ImageListRow[]> {
  switch (reference.transport) {
    case 'oci':
      return listLayoutImages(directoryLayoutAccess(reference.path));
    case 'oci-archive': {
      const access = archiveLayoutAccess(openArchiveFile(reference.path), nodeRuntime);
      try {
        return await listLayoutImages(access);
      } finally {
        await access.close();
      }
    }
    case 'docker-archive':
      return listDockerArchiveImages(reference.path);
    case 'docker': {
      const source = await openImageSource(reference, options);
      try {
        return await listRegistryImages(source, familiarRepositoryName(reference));
      } finally {
        await source.close();
      }
    }
  }
}
