/**
 * Shared helpers for the tar tests: building layer entries, collecting streams, re-chunking.
 */
import { createHash } from 'node:crypto';
import type { BytePath, LayerEntry, TreeEntry } from '@layerkit/diff';
import { pathFromUtf8 } from '@layerkit/diff';

/** Concatenates a byte stream (copying each chunk as it arrives). */
export async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of source) parts.push(chunk.slice());
  return Buffer.concat(parts);
}

/** Yields `bytes` in pieces of the given sizes (cycled), as views. */
export async function* chunked(
  bytes: Uint8Array,
  sizes: readonly number[] = [bytes.length || 1],
): AsyncGenerator<Uint8Array> {
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length]!);
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

/** sha256 hex of bytes. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const BASE: Omit<TreeEntry, 'path' | 'type'> = {
  mode: 0o644,
  uid: 0,
  gid: 0,
  size: 0,
  mtimeNs: 1_700_000_000_123_456_789n,
};

/** A tree entry with defaults (UTF-8 path converted to a byte path). */
export function treeEntry(path: string, type: TreeEntry['type'], extra: Partial<TreeEntry> = {}): TreeEntry {
  return { ...BASE, mode: type === 'dir' ? 0o755 : 0o644, path: pathFromUtf8(path), type, ...extra };
}

/** A regular file entry whose content is `data`, served in sync chunks of `chunk` bytes. */
export function fileEntry(
  path: string,
  data: Uint8Array | string,
  extra: Partial<TreeEntry> = {},
  chunk = 65536,
): LayerEntry {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return {
    kind: 'entry',
    entry: treeEntry(path, 'file', {
      size: bytes.length,
      content: function* () {
        for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
      },
      ...extra,
    }),
  };
}

/** A non-file entry. */
export function entry(path: string, type: TreeEntry['type'], extra: Partial<TreeEntry> = {}): LayerEntry {
  return { kind: 'entry', entry: treeEntry(path, type, extra) };
}

/** A whiteout of `path` (UTF-8). */
export function whiteout(path: string): LayerEntry {
  return { kind: 'whiteout', path: pathFromUtf8(path) as BytePath };
}

/** An opaque marker on directory `path` (UTF-8). */
export function opaque(path: string): LayerEntry {
  return { kind: 'opaque', path: pathFromUtf8(path) };
}

/** `value` as a zero-padded octal field of `length` bytes ending in NUL. */
export function octalField(value: number, length: number): Uint8Array {
  return new TextEncoder().encode(`${value.toString(8).padStart(length - 1, '0')}\0`);
}

/** Recomputes a header block's checksum (unsigned, `%06o\0 `). */
export function fixChecksum(block: Uint8Array): Uint8Array {
  block.fill(0x20, 148, 156);
  const sum = block.reduce((total, byte) => total + byte, 0);
  block.set(octalField(sum, 7), 148);
  block[155] = 0x20;
  return block;
}

/**
 * A hand-made tar entry: a USTAR header (mode 0644, ids 0, mtime 1) plus `body` padded to 512.
 * `patch` edits the header before the checksum is computed.
 */
export function craftEntry(
  name: string | Uint8Array,
  typeflag: string,
  body: Uint8Array = new Uint8Array(),
  patch?: (block: Uint8Array) => void,
): Uint8Array {
  const block = new Uint8Array(512);
  block.set(typeof name === 'string' ? Buffer.from(name, 'latin1') : name, 0);
  block.set(octalField(0o644, 8), 100);
  block.set(octalField(0, 8), 108);
  block.set(octalField(0, 8), 116);
  block.set(octalField(body.length, 12), 124);
  block.set(octalField(1, 12), 136);
  block[156] = typeflag.charCodeAt(0);
  block.set(Buffer.from('ustar\x0000', 'latin1'), 257);
  patch?.(block);
  fixChecksum(block);
  const out = new Uint8Array(512 + Math.ceil(body.length / 512) * 512);
  out.set(block);
  out.set(body, 512);
  return out;
}

/** A PAX payload from records (values as latin-1 strings or raw bytes). */
export function paxPayload(records: [string, string | Uint8Array][]): Uint8Array {
  const parts = records.map(([key, value]) => {
    const valueBytes = typeof value === 'string' ? Buffer.from(value, 'latin1') : Buffer.from(value);
    const base = key.length + valueBytes.length + 3;
    let length = base + String(base).length;
    length = base + String(length).length;
    return Buffer.concat([Buffer.from(`${length} ${key}=`, 'latin1'), valueBytes, Buffer.from('\n')]);
  });
  return Buffer.concat(parts);
}

/** The two zero blocks that end an archive. */
export const END_OF_ARCHIVE = new Uint8Array(1024);
