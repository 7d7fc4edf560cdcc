/**
 * What a docker-archive (`docker save` output) holds, read without hashing any layer: the images
 * `manifest.json` lists, and the archive members its paths name (resolved inside the archive only,
 * R12 of docs/threat-model.md#read). Used to read images and to list them.
 */
import { normalizeEntryName } from '@layerkit/diff/internal';
import { LayerkitError } from '@layerkit/digest';
import {
  DOCKER_MANIFEST_MAX_BYTES,
  type DockerSaveItem,
  parseDockerSaveManifest,
} from '../../store/docker-save-manifest.js';
import { type ArchiveFile, type ArchiveMember, readSmallMember } from './archive-members.js';

/** The images of `manifest.json` (`NOT_A_DOCKER_ARCHIVE` without one). */
export function dockerSaveItems(archive: ArchiveFile): DockerSaveItem[] {
  const bytes = readSmallMember(archive, 'manifest.json', DOCKER_MANIFEST_MAX_BYTES);
  if (bytes === undefined) {
    throw new LayerkitError(
      'NOT_A_DOCKER_ARCHIVE',
      `${archive.path} has no manifest.json: not a docker-archive`,
      { path: archive.path },
    );
  }
  return parseDockerSaveManifest(bytes);
}

/** The member a `manifest.json` path names (`ARCHIVE_PATH_ESCAPE`, `ARCHIVE_MEMBER_MISSING`). */
export function dockerArchiveMember(archive: ArchiveFile, path: string): ArchiveMember & { name: string } {
  const normalized = normalizeEntryName(path);
  if (normalized === null) {
    throw new LayerkitError(
      'ARCHIVE_PATH_ESCAPE',
      `manifest.json path ${JSON.stringify(path)} leaves the archive`,
      {
        path,
      },
    );
  }
  const member = archive.members.get(normalized);
  if (member === undefined) {
    throw new LayerkitError(
      'ARCHIVE_MEMBER_MISSING',
      `manifest.json names ${JSON.stringify(path)}, which is not a file in ${archive.path}`,
      { path },
    );
  }
  return { ...member, name: normalized };
}
