import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BlobRef, type BlobStore, type Digest, MemoryBlobStore, parseDigest } from '@layerkit/digest';
import { FsBlobStore, nodeRuntime } from '@layerkit/digest/node';
import { describe, expect, it } from 'vitest';
import {
  chunked,
  collect,
  layerkitFailure,
  mixedBytes,
  referenceSha256,
  scratchLayouts,
} from '../../fixtures/digest-helpers.js';

const layouts = scratchLayouts('blobs');
const freshLayout = layouts.fresh;

const content = mixedBytes(3_000_000, 21);
const contentRef: BlobRef = { digest: referenceSha256(content) as Digest, size: content.length };
const other = new TextEncoder().encode('{"other":true}');

describe.each<[string, () => BlobStore]>([
  ['MemoryBlobStore', () => new MemoryBlobStore(nodeRuntime)],
  ['FsBlobStore', () => new FsBlobStore(freshLayout())],
])('%s', (_name, makeStore) => {
  it('puts, has, gets and streams verified content', async () => {
    const store = makeStore();
    expect(await store.has(contentRef.digest)).toBe(false);
    expect(await store.put(content)).toEqual(contentRef);
    expect(await store.has(contentRef.digest)).toBe(true);
    expect(Buffer.from(await store.get(contentRef)).equals(content)).toBe(true);
    expect((await collect(store.stream(contentRef))).equals(content)).toBe(true);
    expect(await store.put(content)).toEqual(contentRef);
  });

  it('stores through a writer only on commit', async () => {
    const store = makeStore();
    const writer = store.writer();
    for await (const chunk of chunked(content, [100_000, 1])) await writer.write(chunk);
    expect(await store.has(contentRef.digest)).toBe(false);
    expect(await writer.commit()).toEqual(contentRef);
    expect(await store.has(contentRef.digest)).toBe(true);
    await writer.abort(); // after commit: a no-op, the blob stays
    expect(Buffer.from(await store.get(contentRef)).equals(content)).toBe(true);
    await expect(writer.write(other)).rejects.toThrow(/committed writer/);
  });

  it('discards on abort and on a failed expected-ref commit', async () => {
    const store = makeStore();
    const aborted = store.writer();
    await aborted.write(content);
    await aborted.abort();
    await aborted.abort();
    expect(await store.has(contentRef.digest)).toBe(false);

    const wrongSize = store.writer();
    await wrongSize.write(content);
    const sizeError = await layerkitFailure(() =>
      wrongSize.commit({ ...contentRef, size: contentRef.size + 1 }),
    );
    expect(sizeError.code).toBe('BLOB_CORRUPT');
    expect(sizeError.message).toBe(
      `blob ${contentRef.digest} is corrupt (size ${content.length}, expected ${content.length + 1})`,
    );

    const wrongDigest = store.writer();
    await wrongDigest.write(other);
    const expected = { digest: contentRef.digest, size: other.length };
    expect((await layerkitFailure(() => wrongDigest.commit(expected))).message).toContain(
      'content hashes to sha256:',
    );
    expect(await store.has(contentRef.digest)).toBe(false);
  });

  it('reports a missing blob by digest', async () => {
    const error = await layerkitFailure(() => makeStore().get(contentRef));
    expect(error.code).toBe('BLOB_MISSING');
    expect(error.message).toBe(`blob ${contentRef.digest} is missing`);
  });

  it('rejects a ref whose size disagrees with the stored blob', async () => {
    const store = makeStore();
    await store.put(content);
    for (const size of [content.length - 1, content.length + 1]) {
      const error = await layerkitFailure(() => store.get({ digest: contentRef.digest, size }));
      expect(error.code).toBe('BLOB_CORRUPT');
      expect(error.message).toContain(contentRef.digest);
    }
  });

  it('validates refs before any lookup', async () => {
    const store = makeStore();
    const traversal = { digest: 'sha256:../../etc/passwd' as Digest, size: 1 };
    expect((await layerkitFailure(() => store.get(traversal))).code).toBe('INVALID_DIGEST');
    const sha512 = { digest: parseDigest(`sha512:${'0'.repeat(128)}`), size: 1 };
    expect((await layerkitFailure(() => store.get(sha512))).code).toBe('UNSUPPORTED_DIGEST');
    expect((await layerkitFailure(() => store.get({ ...contentRef, size: -1 }))).code).toBe('INVALID_SIZE');
  });
});

describe('FsBlobStore on disk', () => {
  async function storedLayout(): Promise<{ store: FsBlobStore; file: string }> {
    const store = new FsBlobStore(freshLayout());
    await store.put(content);
    return { store, file: store.path(contentRef.digest) };
  }

  it('lays blobs out as blobs/sha256/<hex> with mode 0644', async () => {
    const { store, file } = await storedLayout();
    expect(file).toBe(join(store.layoutDir, 'blobs', 'sha256', contentRef.digest.slice(7)));
    expect(readFileSync(file).equals(content)).toBe(true);
    expect(readdirSync(join(store.layoutDir, 'blobs'))).toEqual(['sha256']);
  });

  it('catches a bit flip in a same-size blob, in get and before the end of a stream', async () => {
    const { store, file } = await storedLayout();
    const flipped = Buffer.from(content);
    flipped[2_999_000]! ^= 0x04;
    writeFileSync(file, flipped);
    const error = await layerkitFailure(() => store.get(contentRef));
    expect(error.code).toBe('BLOB_CORRUPT');
    expect(error.message).toMatch(/^blob sha256:[0-9a-f]{64} is corrupt \(content hashes to sha256:/);
    let streamed = 0;
    const streamError = await layerkitFailure(async () => {
      for await (const chunk of store.stream(contentRef)) streamed += chunk.length;
    });
    expect(streamError.code).toBe('BLOB_CORRUPT');
    expect(streamed).toBeLessThan(content.length);
  });

  it('catches truncated and extended blobs by size before hashing', async () => {
    const { store, file } = await storedLayout();
    writeFileSync(file, content.subarray(0, 123));
    expect((await layerkitFailure(() => store.get(contentRef))).message).toBe(
      `blob ${contentRef.digest} is corrupt (size 123, expected ${content.length})`,
    );
    writeFileSync(file, Buffer.concat([content, Buffer.from('x')]));
    expect((await layerkitFailure(() => store.get(contentRef))).code).toBe('BLOB_CORRUPT');
  });

  it('refuses a symlink planted under a blob name', async () => {
    const store = new FsBlobStore(freshLayout());
    const target = join(layouts.dir, 'planted');
    writeFileSync(target, content);
    mkdirSync(join(store.layoutDir, 'blobs', 'sha256'), { recursive: true });
    symlinkSync(target, store.path(contentRef.digest));
    expect(await store.has(contentRef.digest)).toBe(false);
    expect((await layerkitFailure(() => store.get(contentRef))).code).toBe('BLOB_CORRUPT');
    await store.put(content); // replaces the symlink with the real blob
    expect(Buffer.from(await store.get(contentRef)).equals(content)).toBe(true);
  });

  it('refuses a FIFO planted under a blob name without blocking', async () => {
    const store = new FsBlobStore(freshLayout());
    mkdirSync(join(store.layoutDir, 'blobs', 'sha256'), { recursive: true });
    execFileSync('mkfifo', [store.path(contentRef.digest)]);
    const error = await layerkitFailure(() => store.get(contentRef));
    const path = store.path(contentRef.digest);
    expect(error.message).toBe(`blob ${contentRef.digest} is corrupt (${path}: a FIFO, not a regular file)`);
    expect(await store.has(contentRef.digest)).toBe(false);
  });

  it('validates digests before building a path', () => {
    const store = new FsBlobStore(freshLayout());
    expect(() => store.path('sha256:../../../../etc/passwd')).toThrow(/invalid digest/);
    expect(() => store.path(`sha256:${'A'.repeat(64)}`)).toThrow(/invalid digest/);
    expect(() => store.path(`blake3:${'a'.repeat(64)}`)).toThrow(/unsupported algorithm/);
  });

  it('lets concurrent writers of one blob all succeed, leaving one complete file', async () => {
    const store = new FsBlobStore(freshLayout());
    const writers = Array.from({ length: 6 }, () => store.writer());
    // Interleave every writer chunk by chunk, then commit them all at once.
    for await (const chunk of chunked(content, [250_000])) {
      await Promise.all(writers.map((writer) => writer.write(chunk)));
    }
    const refs = await Promise.all(writers.map((writer) => writer.commit()));
    for (const ref of refs) expect(ref).toEqual(contentRef);
    expect(Buffer.from(await store.get(contentRef)).equals(content)).toBe(true);
    expect(readdirSync(join(store.layoutDir, 'blobs'))).toEqual(['sha256']);
    expect(readdirSync(join(store.layoutDir, 'blobs', 'sha256'))).toEqual([contentRef.digest.slice(7)]);
  });

  it('leaves nothing behind when a write is aborted', async () => {
    const store = new FsBlobStore(freshLayout());
    const writer = store.writer();
    await writer.write(content);
    expect(readdirSync(join(store.layoutDir, 'blobs')).some((name) => name.startsWith('blob.tmp-'))).toBe(
      true,
    );
    await writer.abort();
    expect(readdirSync(join(store.layoutDir, 'blobs'))).toEqual([]);
  });

  it('lists stored digests, skipping temp files and strays', async () => {
    const { store } = await storedLayout();
    await store.put(other);
    const pending = store.writer();
    await pending.write(other);
    writeFileSync(join(store.layoutDir, 'blobs', 'sha256', 'not-a-digest'), 'x');
    const listed: Digest[] = [];
    for await (const digest of store.list()) listed.push(digest);
    expect(listed.sort()).toEqual([contentRef.digest, referenceSha256(other)].sort());
    await pending.abort();
    const empty = new FsBlobStore(freshLayout());
    for await (const digest of empty.list()) throw new Error(`unexpected ${digest}`);
  });

  it('stops reading when the consumer stops', async () => {
    const { store } = await storedLayout();
    for await (const chunk of store.stream(contentRef)) {
      expect(chunk.length).toBe(1024 * 1024);
      break;
    }
    // The file descriptor was closed: the blob can still be removed and re-put.
    rmSync(store.path(contentRef.digest));
    expect(await store.put(content)).toEqual(contentRef);
  });

  it('keeps an existing blob as is (a put of present content writes nothing)', async () => {
    const { store, file } = await storedLayout();
    const inode = statSync(file).ino;
    const writer = store.writer();
    await writer.write(content);
    await writer.commit();
    await store.put(content);
    expect(statSync(file).ino).toBe(inode);
    expect(readdirSync(join(store.layoutDir, 'blobs'))).toEqual(['sha256']);
  });
});
