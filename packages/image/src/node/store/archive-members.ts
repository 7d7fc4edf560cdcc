/**
 * The member table of an uncompressed tar archive, built by reading its headers once
 * (`pread` from one fd, skipping every body), so that blobs can then be served by offset
 * without extracting anything. Only regular members are kept; symlinks, hardlinks and
 * devices are never followed (R12), and names are normalized so that a path can only ever
 * resolve to a member of this archive.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { LayerkitError } from '@layerkit/digest';
import { checkJsonSize } from '../../json/strict-parse.js';

/** Where a regular member's bytes are in the archive file. */
export interface ArchiveMember {
  offset: number;
  size: number;
}

/** Bounds for scanning a hostile archive. */
export interface ArchiveScanLimits {
  /** Most members (default 1,000,000). */
  maxMembers?: number;
  /** Largest PAX / GNU long-name payload (default 1 MiB). */
  maxSpecialHeaderBytes?: number;
}

/** An open archive: its fd, its regular members by normalized name, and the fd's owner duty to close. */
export interface ArchiveFile {
  readonly path: string;
  readonly fd: number;
  readonly members: ReadonlyMap<string, ArchiveMember>;
  close(): void;
}

const BLOCK = 512;
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/** Opens `path` and indexes its members; throws `ARCHIVE_CORRUPT` on a malformed header. */
export function openArchiveFile(path: string, limits: ArchiveScanLimits = {}): ArchiveFile {
  const fd = openSync(path, 'r');
  try {
    const members = scanMembers(fd, path, limits);
    return { path, fd, members, close: () => closeSync(fd) };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * Normalizes an archive-relative path: drops `./`, leading `/` and empty components, and
 * applies `..`. Returns undefined when the path climbs above the archive root.
 */
export function normalizeMemberPath(name: string): string | undefined {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return parts.join('/');
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

function scanMembers(fd: number, path: string, limits: ArchiveScanLimits): Map<string, ArchiveMember> {
  const maxMembers = limits.maxMembers ?? 1_000_000;
  const maxSpecial = limits.maxSpecialHeaderBytes ?? 1024 * 1024;
  const fileSize = fstatSync(fd).size;
  const members = new Map<string, ArchiveMember>();
  const header = new Uint8Array(BLOCK);
  let offset = 0;
  let count = 0;
  let pendingName: string | undefined;
  let pendingSize: number | undefined;
  const corrupt = (why: string) =>
    new LayerkitError('ARCHIVE_CORRUPT', `${path}: ${why} at offset ${offset}`, { path, offset });

  while (offset < fileSize) {
    if (offset + BLOCK > fileSize || readSync(fd, header, 0, BLOCK, offset) !== BLOCK) {
      throw corrupt('the archive ends inside a header');
    }
    if (header.every((byte) => byte === 0)) break;
    verifyChecksum(header, corrupt);
    const typeflag = header[156] === 0 ? '0' : String.fromCharCode(header[156]!);
    const size = pendingSize ?? parseNumber(header.subarray(124, 136), corrupt);
    const dataOffset = offset + BLOCK;
    if (dataOffset + size > fileSize) throw corrupt('member runs past the end of the archive');
    if (typeflag === 'x' || typeflag === 'L' || typeflag === 'g') {
      if (size > maxSpecial) throw corrupt(`special header of ${size} bytes exceeds ${maxSpecial}`);
      const payload = new Uint8Array(size);
      readSync(fd, payload, 0, size, dataOffset);
      if (typeflag === 'x') {
        const records = parsePax(payload, corrupt);
        pendingName = records.get('path') ?? pendingName;
        const paxSize = records.get('size');
        if (paxSize !== undefined) pendingSize = parseDecimal(paxSize, corrupt);
      } else if (typeflag === 'L') {
        pendingName = latin1.decode(payload).replace(/\0.*$/s, '');
      }
    } else {
      if (++count > maxMembers) throw corrupt(`more than ${maxMembers} members`);
      const name = pendingName ?? headerName(header);
      pendingName = undefined;
      pendingSize = undefined;
      const normalized = normalizeMemberPath(name);
      if ((typeflag === '0' || typeflag === '7') && normalized !== undefined && normalized !== '') {
        members.set(normalized, { offset: dataOffset, size });
      }
    }
    offset = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
  }
  return members;
}

function headerName(header: Uint8Array): string {
  const name = cString(header.subarray(0, 100));
  const isUstar = latin1.decode(header.subarray(257, 262)) === 'ustar';
  const prefix = isUstar ? cString(header.subarray(345, 500)) : '';
  return prefix === '' ? name : `${prefix}/${name}`;
}

function cString(field: Uint8Array): string {
  const end = field.indexOf(0);
  return utf8.decode(end < 0 ? field : field.subarray(0, end));
}

function verifyChecksum(header: Uint8Array, corrupt: (why: string) => Error): void {
  const stored = parseNumber(header.subarray(148, 156), corrupt);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  if (sum !== stored) throw corrupt('bad header checksum');
}

/** An octal numeric field, or the GNU base-256 form (high bit set). */
function parseNumber(field: Uint8Array, corrupt: (why: string) => Error): number {
  if ((field[0]! & 0x80) !== 0) {
    if ((field[0]! & 0x40) !== 0) throw corrupt('negative numeric field');
    let value = field[0]! & 0x3f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    if (!Number.isSafeInteger(value)) throw corrupt('numeric field too large');
    return value;
  }
  const text = latin1
    .decode(field)
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw corrupt('malformed numeric field');
  return Number.parseInt(text, 8);
}

function parseDecimal(text: string, corrupt: (why: string) => Error): number {
  if (!/^[0-9]{1,15}$/.test(text)) throw corrupt(`malformed PAX size ${JSON.stringify(text)}`);
  return Number(text);
}

/** PAX extended-header records: `<len> <key>=<value>\n`. */
function parsePax(payload: Uint8Array, corrupt: (why: string) => Error): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < payload.length) {
    const space = payload.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number.parseInt(latin1.decode(payload.subarray(at, space)), 10);
    if (!Number.isSafeInteger(length) || length <= space - at || at + length > payload.length) {
      throw corrupt('malformed PAX record');
    }
    const record = utf8.decode(payload.subarray(space + 1, at + length - 1));
    const equals = record.indexOf('=');
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    at += length;
  }
  return records;
}
