/**
 * An OCI layout read from inside an uncompressed archive (oci-archive, Docker ≥ 25 save):
 * top-level files and `blobs/<alg>/<hex>` are looked up among the archive's regular members.
 */
import type { DigestRuntime } from '@layerkit/digest';
import type { LayoutAccess } from '../../store/layout-image-source.js';
import { archiveBlobReader, layoutMemberLocator } from './archive-blob-reader.js';
import { type ArchiveFile, readSmallMember } from './archive-members.js';

/** Layout access over an open archive; closing it closes the archive. */
export function archiveLayoutAccess(archive: ArchiveFile, runtime: DigestRuntime): LayoutAccess {
  return {
    location: archive.path,
    readFile: async (name, maxBytes) => readSmallMember(archive, name, maxBytes),
    blobs: archiveBlobReader(archive, layoutMemberLocator(archive), runtime),
    close: async () => archive.close(),
  };
}
