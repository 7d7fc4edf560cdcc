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
