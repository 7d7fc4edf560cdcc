import { execFileSync, execSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  type BlobStore,
  type BlobWriter,
  type ByteSource,
  EMPTY_TAR_DIFF_ID,
  LayerkitError,
  MemoryBlobStore,
  mediaTypeFor,
  portableRuntime,
  writeLayerBlob,
} from '@layerkit/digest';
import { FsBlobStore, nodeRuntime } from '@layerkit/digest/node';
import { describe, expect, it } from 'vitest';
import {
  chunked,
  layerkitFailure,
  mixedBytes,
  referenceSha256,
  scratchLayouts,
} from '../../fixtures/digest-helpers.js';

const layouts = scratchLayouts('layer-blob');
const freshStore = () => new FsBlobStore(layouts.fresh());

/** A real tar made by GNU tar from this machine's files (deterministic flags). */
const realTar = execFileSync(
  'tar',
  [
    '-c',
    '--sort=name',
    '--mtime=@0',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '-C',
    '/usr/share',
    'common-licenses',
  ],
  { maxBuffer: 256 * 1024 * 1024 },
);

/** A memory store whose writers are made by `makeWriter` (to inject slowness or failures). */
function withWriter(makeWriter: () => BlobWriter): BlobStore {
  const inner = new MemoryBlobStore(nodeRuntime);
  return {
    has: (digest) => inner.has(digest),
    get: (ref) => inner.get(ref),
    stream: (ref) => inner.stream(ref),
    put: (bytes) => inner.put(bytes),
    writer: makeWriter,
  };
}

describe('mediaTypeFor', () => {
  it('names the OCI layer media types', () => {
    expect(mediaTypeFor('none')).toBe('application/vnd.oci.image.layer.v1.tar');
    expect(mediaTypeFor('gzip')).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
    expect(mediaTypeFor('zstd')).toBe('application/vnd.oci.image.layer.v1.tar+zstd');
    expect(() => mediaTypeFor('toString' as 'gzip')).toThrow(/not supported/);
  });
});

describe('writeLayerBlob', () => {
  it('stores a gzip layer in one pass: real tools agree on DiffID, digest and content', async () => {
    const store = freshStore();
    const layer = await writeLayerBlob(chunked(realTar, [10_000, 1_000_000]), {
      store,
      runtime: nodeRuntime,
    });
    const file = store.path(layer.digest);
    expect(layer.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
    expect(layer.diffID).toBe(referenceSha256(realTar));
    expect(layer.uncompressedSize).toBe(realTar.length);
    expect(layer.size).toBe(readFileSync(file).length);
    expect(layer.digest).toBe(referenceSha256(readFileSync(file)));
    execFileSync('gzip', ['-t', file]);
    expect(execSync(`zcat '${file}' | sha256sum`).toString().split(' ')[0]).toBe(layer.diffID.slice(7));
    expect(execSync(`sha256sum '${file}'`).toString().split(' ')[0]).toBe(layer.digest.slice(7));
    const listed = execFileSync('tar', ['-tzf', file]).toString();
    expect(listed).toContain('common-licenses/Apache-2.0');
  });

  it('gives the same DiffID with the portable runtime and a memory store', async () => {
    const store = new MemoryBlobStore();
    const layer = await writeLayerBlob(chunked(realTar), { store, level: 1 });
    expect(layer.diffID).toBe(referenceSha256(realTar));
    expect(gunzipSync(await store.get(layer)).equals(realTar)).toBe(true);
  });

  it('is deterministic: same tar and level, same blob digest, however the tar is chunked', async () => {
    const first = await writeLayerBlob(chunked(realTar, [4096]), {
      store: freshStore(),
      runtime: nodeRuntime,
    });
    const second = await writeLayerBlob(chunked(realTar, [3, 999_999]), {
      store: freshStore(),
      runtime: nodeRuntime,
    });
    expect(second).toEqual(first);
    const fast = await writeLayerBlob(chunked(realTar), {
      store: freshStore(),
      runtime: nodeRuntime,
      level: 1,
    });
    expect(fast.digest).not.toBe(first.digest);
    expect(fast.diffID).toBe(first.diffID);
  });

  it('stores an uncompressed layer whose digest is its DiffID', async () => {
    const layer = await writeLayerBlob(chunked(new Uint8Array(1024)), {
      store: freshStore(),
      compression: 'none',
      runtime: nodeRuntime,
    });
    expect(layer).toEqual({
      digest: EMPTY_TAR_DIFF_ID,
      size: 1024,
      diffID: EMPTY_TAR_DIFF_ID,
      uncompressedSize: 1024,
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
    });
  });

  it('aborts the writer when the tar stream fails: no blob, no temp file', async () => {
    const store = freshStore();
    const sourceError = new Error('tar producer failed');
    async function* failing(): ByteSource {
      yield* chunked(mixedBytes(5_000_000, 2), [1 << 20]);
      throw sourceError;
    }
    await expect(writeLayerBlob(failing(), { store, runtime: nodeRuntime })).rejects.toBe(sourceError);
    expect(readdirSync(join(store.layoutDir, 'blobs'))).toEqual([]);
  });

  it('aborts when the store fails mid-write', async () => {
    let aborted = false;
    let writes = 0;
    const failingStore = withWriter(() => ({
      write: async () => {
        writes += 1;
        if (writes === 3) throw new LayerkitError('PERMISSION_DENIED', 'no space left');
      },
      commit: () => Promise.reject(new Error('commit must not be reached')),
      abort: async () => {
        aborted = true;
      },
    }));
    const error = await layerkitFailure(() =>
      writeLayerBlob(chunked(mixedBytes(8_000_000, 4)), { store: failingStore, runtime: nodeRuntime }),
    );
    expect(error.code).toBe('PERMISSION_DENIED');
    expect(aborted).toBe(true);
  });

  it('rejects an unusable compression before touching the store', async () => {
    const store = freshStore();
    const zstd = await layerkitFailure(() =>
      writeLayerBlob(chunked(realTar), { store, compression: 'zstd', runtime: portableRuntime }),
    );
    expect(zstd.code).toBe('UNSUPPORTED_COMPRESSION');
    const level = await layerkitFailure(() =>
      writeLayerBlob(chunked(realTar), { store, level: 12, runtime: nodeRuntime }),
    );
    expect(level.code).toBe('INVALID_COMPRESSION_LEVEL');
    for await (const digest of store.list()) throw new Error(`unexpected blob ${digest}`);
  });

  it('pulls the tar only as fast as a slow store accepts the blob', async () => {
    const MiB = 1024 * 1024;
    let pulled = 0;
    let written = 0;
    let maxAhead = 0;
    const data = mixedBytes(MiB, 9);
    async function* source(): ByteSource {
      for (let i = 0; i < 32; i++) {
        pulled += MiB;
        yield data.slice();
      }
    }
    const inner = new MemoryBlobStore(nodeRuntime);
    const slowStore = withWriter(() => {
      const writer = inner.writer();
      return {
        write: async (chunk) => {
          written += 1;
          maxAhead = Math.max(maxAhead, pulled - written * MiB);
          await new Promise((resolve) => setTimeout(resolve, 10));
          await writer.write(chunk);
        },
        commit: (expected) => writer.commit(expected),
        abort: () => writer.abort(),
      };
    });
    await writeLayerBlob(source(), { store: slowStore, runtime: nodeRuntime, level: 1 });
    // Each block becomes one written chunk: the tar runs at most the in-flight window (4 blocks) ahead.
    expect(maxAhead).toBeLessThanOrEqual(6 * MiB);
  });
});
