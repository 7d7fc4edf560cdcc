/**
 * The fixed corpus whose digests layerkit promises to keep: one layer tar (compressible text,
 * random bytes, > 1 MiB so the parallel gzip cuts several blocks) and its blobs for every
 * compression the Node runtime writes. Shared by the vitest golden test
 * (digests-golden.test.ts) and the standalone check run on arm64 under qemu
 * (digests-standalone.ts, bundled against the built packages by scripts/check-digest-goldens.mjs).
 */

import { type LayerEntry, pathFromUtf8, writeLayerTar } from '@layerkit/diff';
import {
  type ByteSource,
  type CompressionName,
  type Digest,
  MemoryBlobStore,
  writeLayerBlob,
} from '@layerkit/digest';
import { collectBytes } from '@layerkit/digest/internal';
import { createNativeSha256, nodeRuntime, parallelGzip } from '@layerkit/digest/node';
import { bytesOf } from '../../fixtures/deterministic-bytes.js';
import { entry, fileEntry } from '../../fixtures/tar-helpers.js';
import { NODE_HAS_ZSTD_ENCODER } from '../../fixtures/zstd-encoder.js';

/** The golden of the tar and its `none` and gzip blobs (every runtime writes them). */
export const GZIP_GOLDEN = 'corpus.json.golden';
/** The golden of the zstd blobs (runtimes whose node:zlib has zstd: Node ≥ 22.15). */
export const ZSTD_GOLDEN = 'corpus.zstd.json.golden';

const KiB = 1024;
const MiB = 1024 * KiB;
const WORDS = ['layer', 'digest', 'sha256', 'gzip', 'tar', 'oci', 'usr/lib/', '{"a":1}', ' ', '\n'];

/** Text-like bytes: words picked by the deterministic generator (compresses ~4:1). */
function text(seed: number, size: number): Uint8Array {
  const picks = bytesOf(seed, size);
  const out = new Uint8Array(size);
  const encoder = new TextEncoder();
  for (let offset = 0, i = 0; offset < size; i++) {
    const word = encoder.encode(WORDS[picks[i]! % WORDS.length]!);
    out.set(word.subarray(0, size - offset), offset);
    offset += word.length;
  }
  return out;
}

/** The corpus in layer order: 1.25 MiB of text, 1.5 MiB of random bytes, small files, links. */
export function corpusEntries(): LayerEntry[] {
  return [
    entry('etc', 'dir'),
    fileEntry('etc/app.conf', 'listen = 8080\nlog = info\n', { mode: 0o600 }),
    entry('usr', 'dir'),
    entry('usr/bin', 'dir'),
    fileEntry('usr/bin/tool', bytesOf(1, 40 * KiB), { mode: 0o755 }),
    entry('usr/bin/tool-link', 'symlink', { linkTarget: pathFromUtf8('tool'), mode: 0o777 }),
    entry('usr/lib', 'dir'),
    fileEntry('usr/lib/random.bin', bytesOf(2, 1.5 * MiB)),
    entry('usr/share', 'dir'),
    fileEntry('usr/share/words.txt', text(3, 1.25 * MiB)),
    fileEntry('usr/share/empty', ''),
  ];
}

/** A blob's digest and size, as a descriptor records them. */
export interface PinnedBlob {
  digest: Digest;
  size: number;
}

/** Digests of the corpus's tar and of its `none` and gzip blobs. */
export interface GzipDigests {
  tar: { diffID: Digest; size: number };
  blobs: Record<string, PinnedBlob>;
}

/** The corpus as one uncompressed layer tar. */
export function corpusTar(): Promise<Uint8Array> {
  return collectBytes(writeLayerTar(corpusEntries()));
}

async function* bytes(data: Uint8Array): ByteSource {
  for (let offset = 0; offset < data.length; offset += 256 * KiB) {
    yield data.slice(offset, offset + 256 * KiB);
  }
}

async function measure(source: ByteSource): Promise<PinnedBlob> {
  const hasher = createNativeSha256();
  let size = 0;
  for await (const chunk of source) {
    hasher.update(chunk);
    size += chunk.length;
  }
  return { digest: hasher.digest(), size };
}

/** A blob as `layerkit` writes it: `writeLayerBlob` with the Node runtime, codec defaults. */
async function layerBlob(tar: Uint8Array, compression: CompressionName, level?: number): Promise<PinnedBlob> {
  const blob = await writeLayerBlob(bytes(tar), {
    store: new MemoryBlobStore(),
    compression,
    level,
    runtime: nodeRuntime,
  });
  return { digest: blob.digest, size: blob.size };
}

/**
 * The tar's DiffID and the blobs: `none`, and gzip at levels 1, 6 and 9 as `layerkit` writes them
 * (1 MiB blocks), in one block, and in 32 KiB blocks (the smallest the parallel gzip takes).
 */
export async function gzipDigests(tar: Uint8Array): Promise<GzipDigests> {
  const blobs: Record<string, PinnedBlob> = { none: await layerBlob(tar, 'none') };
  for (const level of [1, 6, 9]) {
    blobs[`gzip-${level}`] = await layerBlob(tar, 'gzip', level);
    blobs[`gzip-${level}.one-block`] = await measure(
      parallelGzip(bytes(tar), { level, blockSize: tar.length, concurrency: 1 }),
    );
    blobs[`gzip-${level}.32k-blocks`] = await measure(
      parallelGzip(bytes(tar), { level, blockSize: 32 * KiB, concurrency: 4 }),
    );
  }
  const diffID = blobs.none!.digest;
  return { tar: { diffID, size: tar.length }, blobs };
}

/**
 * The zstd blobs at levels 1, 3 (the default) and 9 (19 takes ~7 s: too slow under qemu).
 * @throws LayerkitError `UNSUPPORTED_COMPRESSION` where node:zlib has no zstd (Node 20).
 */
export async function zstdDigests(tar: Uint8Array): Promise<Record<string, PinnedBlob>> {
  const blobs: Record<string, PinnedBlob> = {};
  for (const level of [1, 3, 9]) blobs[`zstd-${level}`] = await layerBlob(tar, 'zstd', level);
  return blobs;
}

/** Whether this runtime writes zstd (node:zlib has it from Node 22.15). */
export function hasZstd(): boolean {
  // Not `codec('zstd')`: every runtime has that codec now (fzstd decodes on Node 20); only the
  // encoder is missing there.
  return NODE_HAS_ZSTD_ENCODER;
}

/** A golden's text: indented JSON, ending in a newline. */
export function renderGolden(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
