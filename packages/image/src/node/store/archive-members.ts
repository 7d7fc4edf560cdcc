/**
 * The member table of an uncompressed tar archive, built by reading its headers once
 * (`pread` from one fd, skipping every body), so that blobs can then be served by offset
 * without extracting anything. Only regular members are kept; symlinks, hardlinks and
 * devices are never followed (R12), and names are normalized so that a path can only ever
 * resolve to a member of this archive. Threat ids (Rn) are those of docs/threat-model.md#read.
 */
import { closeSync, readSync } from 'node:fs';
import { pathToUtf8 } from '@layerkit/diff';
import { normalizeEntryName, scanTarMembers, TYPEFLAG } from '@layerkit/diff/internal';
import { isLayerkitError, LayerkitError } from '@layerkit/digest';
import { openRegularFile } from '@layerkit/digest/internal/node';
import { checkJsonSize } from '../../json/strict-parse.js';

/** Where a regular member's bytes are in the archive file. */
export interface ArchiveMember {
  offset: number;
  size: number;
}

/** Bounds for scanning a hostile archive. */
export interface ArchiveScanLimits {
  /** Most members (default 1,000,000). */
  maxMembers?: number | undefined;
  /** Largest PAX / GNU long-name payload (default 1 MiB). */
  maxSpecialHeaderBytes?: number | undefined;
}

/** An open archive: its fd, its regular members by normalized name, and the fd's owner duty to close. */
export interface ArchiveFile {
  readonly path: string;
  readonly fd: number;
  readonly members: ReadonlyMap<string, ArchiveMember>;
  close(): void;
}

/** Opens `path` and indexes its members; throws `ARCHIVE_CORRUPT` on a malformed header. */
export function openArchiveFile(path: string, limits: ArchiveScanLimits = {}): ArchiveFile {
  // The user named it, so a symlink is followed; a FIFO, device or directory is refused unopened (R12).
  const { fd, size } = openRegularFile(path, { followSymlinks: true });
  try {
    const members = scanMembers(fd, size, path, limits);
    return { path, fd, members, close: () => closeSync(fd) };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** Reads a small member (a JSON document); undefined when absent; `JSON_TOO_LARGE` over `maxBytes` (R3). */
export function readSmallMember(
  archive: ArchiveFile,
  name: string,
  maxBytes: number,
): Uint8Array | undefined {
  const member = archive.members.get(name);
  if (member === undefined) return undefined;
  checkJsonSize(member.size, maxBytes, `${name} in ${archive.path}`);
  const bytes = new Uint8Array(member.size);
  readArchiveBytes(archive, bytes, member.offset);
  return bytes;
}

/** Fills `into` from the archive at `position`; `ARCHIVE_CORRUPT` if the file ends first. */
export function readArchiveBytes(archive: ArchiveFile, into: Uint8Array, position: number): void {
  for (let done = 0; done < into.length; ) {
    const read = readSync(archive.fd, into, done, into.length - done, position + done);
    if (read === 0) {
      throw new LayerkitError(
        'ARCHIVE_CORRUPT',
        `${archive.path} ends inside a member at offset ${position}`,
        {
          path: archive.path,
          offset: position,
        },
      );
    }
    done += read;
  }
}

function scanMembers(
  fd: number,
  size: number,
  path: string,
  limits: ArchiveScanLimits,
): Map<string, ArchiveMember> {
  const members = new Map<string, ArchiveMember>();
  const readAt = (into: Uint8Array, position: number) => readSync(fd, into, 0, into.length, position);
  const tarLimits = {
    maxEntries: limits.maxMembers ?? 1_000_000,
    maxSpecialHeaderBytes: limits.maxSpecialHeaderBytes ?? 1024 * 1024,
  };
  try {
    for (const { header, bodyOffset } of scanTarMembers(readAt, size, tarLimits)) {
      const normalized = normalizeEntryName(pathToUtf8(header.name));
      // Only regular members are blobs: links and devices are never followed (R12).
      if (header.typeflag === TYPEFLAG.file && normalized !== null && normalized !== '') {
        members.set(normalized, { offset: bodyOffset, size: header.size });
      }
    }
  } catch (error) {
    if (!isLayerkitError(error) || !error.code.startsWith('TAR_')) throw error;
    throw new LayerkitError(
      'ARCHIVE_CORRUPT',
      `${path}: ${error.message}`,
      { path, ...error.details },
      { cause: error },
    );
  }
  return members;
}
