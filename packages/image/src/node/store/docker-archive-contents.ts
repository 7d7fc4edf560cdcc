/**
 * What a docker-archive (`docker save` output) holds, read without hashing any layer: the images
 * `manifest.json` lists, the archive members its paths name (resolved inside the archive only,
 * R12 of docs/threat-model.md#read) and the legacy `repositories` file. Used to read, list and
 * verify images.
 */
import { normalizeEntryName } from '@layerkit/diff/internal';
import { LayerkitError } from '@layerkit/digest';
import {
  DOCKER_MANIFEST_MAX_BYTES,
  type DockerSaveItem,
  parseDockerSaveManifest,
} from '../../store/docker-save-manifest.js';
import { type ArchiveFile, type ArchiveMember, openArchiveFile, readSmallMember } from './archive-members.js';

/** A docker-archive's `manifest.json` items and `repositories` bytes, as stored. */
export interface DockerArchiveBookkeeping {
  /** The items of `manifest.json`. */
  items: DockerSaveItem[];
  /** The `repositories` file, when the archive has one. */
  repositories?: Uint8Array;
}

/** Reads the bookkeeping of the docker-archive at `path`, for the checks `verify` makes on it. */
export function readDockerArchiveBookkeeping(path: string): DockerArchiveBookkeeping {
  const archive = openArchiveFile(path);
  try {
    const items = dockerSaveItems(archive);
    const repositories = readSmallMember(archive, 'repositories', DOCKER_MANIFEST_MAX_BYTES);
    return repositories === undefined ? { items } : { items, repositories };
  } finally {
    archive.close();
  }
}

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
