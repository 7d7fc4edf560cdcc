/**
 * LayerStream, the one reader of layer blobs: decompression by the bytes, totals, the DiffID check,
 * the caps, and which error wins when a reader fails on a checked layer: a corrupt blob
 * (BLOB_CORRUPT from the blob reader's own check) or a wrong DiffID, never the parse or
 * decompression error its bytes caused. Unchecked layers are released without reading on.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { readTar } from '@layerkit/diff';
import { checkDiffID, LayerStream } from '@layerkit/diff/internal';
import { type BlobRef, BlobVerifier, type Digest, isLayerkitError, LayerkitError } from '@layerkit/digest';
import { nodeRuntime } from '@layerkit/digest/node';
import { describe, expect, it } from 'vitest';
import { bytesOf } from '../../../fixtures/deterministic-bytes.js';
import { withoutZstd } from '../../../fixtures/digest-helpers.js';
import { rawTar } from '../../../fixtures/raw-tar.js';
import { zstdStored, zstdZeroBomb } from '../../../fixtures/zstd-frames.js';

const CHUNK = 64 * 1024;

function sha256(bytes: Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest;
}

/** A tar of one file of `size` pseudo-random bytes: gzip barely shrinks it. */
function tarOf(size: number): Uint8Array {
  return rawTar([{ name: 'data.bin', body: bytesOf(7, size) }]);
}

/** What a reading of a blob did to its source. */
interface Source {
  blob: AsyncIterable<Uint8Array>;
  /** Bytes the stream pulled. */
  read(): number;
  /** True once the source was closed early or ended. */
  released(): boolean;
}

/**
 * A blob reader's stream (as every `BlobReader.stream` is): `bytes` in 64 KiB chunks, checked
 * against `ref` (size, then digest) as it ends, `BLOB_CORRUPT` on a mismatch (R2).
 */
function blobSource(bytes: Uint8Array, ref: BlobRef = { digest: sha256(bytes), size: bytes.length }): Source {
  let read = 0;
  let released = false;
  async function* blob(): AsyncGenerator<Uint8Array> {
    const verifier = new BlobVerifier(ref, nodeRuntime.sha256);
    try {
      for (let at = 0; at < bytes.length; at += CHUNK) {
        const chunk = bytes.subarray(at, at + CHUNK);
        read += chunk.length;
        verifier.add(chunk);
        yield chunk;
      }
      verifier.finish();
    } finally {
      released = true;
    }
  }
  return { blob: blob(), read: () => read, released: () => released };
}

/** Reads the stream with the tar reader, as the merged view and history do; the error, if any. */
async function readAll(stream: LayerStream): Promise<unknown> {
  try {
    for await (const entry of readTar(stream)) for await (const _chunk of entry.body);
    return undefined;
  } catch (error) {
    return error;
  }
}

function codeOf(error: unknown): string | undefined {
  return isLayerkitError(error) ? error.code : undefined;
}

/** A Node layer stream over `blob`, named `layer`, checked against `diffID` when one is given. */
function streamOf(blob: AsyncIterable<Uint8Array>, layer: string, diffID?: Digest): LayerStream {
  return new LayerStream(blob, { runtime: nodeRuntime, layer, diffID });
}

const WRONG = sha256(new Uint8Array(1));

const TAR = tarOf(3 * 1024 * 1024);
const GZIP = gzipSync(TAR);
/** The gzip layer's header, then random bytes: gunzip fails within its first block. */
const GARBLED_GZIP = Buffer.concat([GZIP.subarray(0, 10), bytesOf(11, GZIP.length - 10)]);
/** Random bytes that do not look compressed: read as a plain tar, which fails at its first header. */
const GARBAGE = bytesOf(5, TAR.length);

describe('LayerStream reads a layer', () => {
  it.each([
    ['plain', TAR, 'none'],
    ['gzip', GZIP, 'gzip'],
    ['zstd (fzstd on Node 20, node:zlib from 22.15)', zstdStored(TAR), 'zstd'],
  ] as const)('%s: totals after the whole stream, DiffID checked', async (_, blob, compression) => {
    const stream = streamOf(blobSource(blob).blob, 'layer 0', sha256(TAR));
    expect(await readAll(stream)).toBeUndefined();
    expect(await stream.finish()).toEqual({ compression, bytes: TAR.length, diffID: sha256(TAR) });
  });

  it('a layer that is not its DiffID: DIFFID_MISMATCH at its end, naming the layer and both DiffIDs', async () => {
    const stream = streamOf(blobSource(GZIP).blob, 'layer 4', WRONG);
    const error = await readAll(stream);
    expect(error).toMatchObject({
      code: 'DIFFID_MISMATCH',
      details: { layer: 'layer 4', expected: WRONG, actual: sha256(TAR) },
    });
    expect((error as Error).message).toContain('layer 4');
    expect((error as Error).message).toContain(WRONG);
    expect((error as Error).message).toContain(sha256(TAR));
  });

  it('the decompressed-bytes cap: LAYER_TOO_LARGE naming the layer', async () => {
    const stream = new LayerStream(blobSource(GZIP).blob, {
      runtime: nodeRuntime,
      layer: 'layer 1 (sha256:abc)',
      limits: { maxDecompressedBytes: 1024 * 1024 },
    });
    const error = await readAll(stream);
    expect(error).toMatchObject({ code: 'LAYER_TOO_LARGE', details: { layer: 'layer 1 (sha256:abc)' } });
  });
});

describe('zstd bombs (T19): the caps hold for zstd streams, which are read as they decode', () => {
  // 16 GiB of zeros in 512 KiB: 128 KiB RLE blocks of 4 bytes each, a ratio of 32768:1.
  const BOMB = zstdZeroBomb(16 * 1024 ** 3);

  it('the ratio cap: LAYER_RATIO_EXCEEDED long before the bomb is read or decoded', async () => {
    const source = blobSource(BOMB);
    const stream = new LayerStream(source.blob, { runtime: nodeRuntime, layer: 'layer 3' });
    const error = await readAll(stream);
    expect(error).toMatchObject({ code: 'LAYER_RATIO_EXCEEDED', details: { layer: 'layer 3', limit: 1100 } });
    // Metered as it decodes: stopped one 128 KiB block past the cap, not a 16 KiB push (512 MiB) past it.
    const details = (error as LayerkitError).details as {
      compressedBytes: number;
      decompressedBytes: number;
    };
    expect(details.decompressedBytes).toBeLessThanOrEqual(details.compressedBytes * 1100 + 128 * 1024);
    expect(source.read()).toBeLessThan(BOMB.length);
    expect(source.released()).toBe(true);
  });

  it('the decompressed-bytes cap: LAYER_TOO_LARGE with the ratio cap out of the way', async () => {
    const source = blobSource(BOMB);
    const stream = new LayerStream(source.blob, {
      runtime: nodeRuntime,
      layer: 'layer 3',
      limits: { maxDecompressedBytes: 8 * 1024 * 1024, maxCompressionRatio: 1e9 },
    });
    expect(await readAll(stream)).toMatchObject({ code: 'LAYER_TOO_LARGE', details: { layer: 'layer 3' } });
    expect(source.read()).toBeLessThan(BOMB.length);
  });
});

describe('a checked layer whose reader fails: the cause wins over the symptom', () => {
  it('uncompressed: random bytes (right size) fail the tar parse, yet BLOB_CORRUPT naming the blob', async () => {
    const ref = { digest: sha256(TAR), size: TAR.length };
    const source = blobSource(GARBAGE, ref);
    const error = await readAll(streamOf(source.blob, 'layer 0', sha256(TAR)));
    expect(codeOf(error)).toBe('BLOB_CORRUPT');
    expect((error as Error).message).toContain(ref.digest);
    expect(source.read()).toBe(GARBAGE.length);
  });

  it('compressed: gunzip fails long before the blob ends, yet BLOB_CORRUPT naming the blob', async () => {
    const ref = { digest: sha256(GZIP), size: GZIP.length };
    const unchecked = blobSource(GARBLED_GZIP, ref);
    const symptom = await readAll(streamOf(unchecked.blob, 'layer 2'));
    // Unchecked, the symptom surfaces, named, and the blob is not read on.
    expect(symptom).toMatchObject({ code: 'CORRUPT_COMPRESSED_DATA', details: { layer: 'layer 2' } });
    expect((symptom as Error).message).toMatch(/^layer 2: /);
    expect(unchecked.read()).toBeLessThan(GARBLED_GZIP.length);
    expect(unchecked.released()).toBe(true);

    const checked = blobSource(GARBLED_GZIP, ref);
    const error = await readAll(streamOf(checked.blob, 'layer 2', sha256(TAR)));
    expect(codeOf(error)).toBe('BLOB_CORRUPT');
    expect((error as Error).message).toContain(ref.digest);
  });

  it('compressed: bytes after the gzip end (gunzip stops there) are read too, so BLOB_CORRUPT', async () => {
    // gunzip ignores zeros after the gzip end; the blob's last byte differs from the one its ref names.
    const padded = Buffer.concat([GZIP, new Uint8Array(16 * CHUNK)]);
    const ref = { digest: sha256(padded), size: padded.length };
    const corrupt = Buffer.from(padded);
    corrupt[corrupt.length - 1] = 1;
    const source = blobSource(corrupt, ref);
    const stream = streamOf(source.blob, 'layer 0', sha256(TAR));
    expect(codeOf(await readAll(stream))).toBe('BLOB_CORRUPT');
    expect(source.released()).toBe(true);

    // A sound blob with such a tail is read to its end: a digest taken on the way covers it.
    const sound = blobSource(padded);
    expect(await streamOf(sound.blob, 'layer 0').finish()).toMatchObject({ diffID: sha256(TAR) });
    expect(sound.read()).toBe(padded.length);
  });

  it('compressed: gunzip output that fails the tar parse, yet BLOB_CORRUPT', async () => {
    // A valid gzip of garbage in place of the layer's gzip: gunzip succeeds, the tar reader fails.
    const ref = { digest: sha256(GZIP), size: GZIP.length };
    const impostor = gzipSync(GARBAGE);
    const error = await readAll(streamOf(blobSource(impostor, ref).blob, 'layer 0', sha256(TAR)));
    expect(codeOf(error)).toBe('BLOB_CORRUPT');
  });

  it('a sound blob whose bytes are not the DiffID and do not parse: DIFFID_MISMATCH', async () => {
    const stream = streamOf(blobSource(GARBAGE).blob, 'layer 3', sha256(TAR));
    expect(await readAll(stream)).toMatchObject({
      code: 'DIFFID_MISMATCH',
      details: { layer: 'layer 3', expected: sha256(TAR), actual: sha256(GARBAGE) },
    });
  });

  it('a sound blob of its DiffID that does not parse keeps the parse error (the rest was read)', async () => {
    const source = blobSource(GARBAGE);
    const error = await readAll(streamOf(source.blob, 'layer 0', sha256(GARBAGE)));
    expect(codeOf(error)).toMatch(/^TAR_/);
    expect(source.read()).toBe(GARBAGE.length);
  });

  it('failure(error): the verdict for an error the stream never saw (a failing apply)', async () => {
    const stream = streamOf(blobSource(GZIP).blob, 'layer 0', WRONG);
    await stream[Symbol.asyncIterator]().next();
    const applyError = new LayerkitError('TAR_PATH_ESCAPE', 'the apply failed');
    expect(codeOf(await stream.failure(applyError))).toBe('DIFFID_MISMATCH');

    const sound = streamOf(blobSource(GZIP).blob, 'layer 0', sha256(TAR));
    await sound[Symbol.asyncIterator]().next();
    expect(await sound.failure(applyError)).toBe(applyError);
  });
});

describe('a reader that stops early', () => {
  it('checked: the rest is read and the verdict comes from return()', async () => {
    const stream = streamOf(blobSource(GZIP).blob, 'layer 0', WRONG);
    const early = async () => {
      for await (const _chunk of stream) break;
    };
    await expect(early()).rejects.toMatchObject({ code: 'DIFFID_MISMATCH' });
  });

  it('checked: a rest that cannot be read is an error from return(), not a silent success', async () => {
    // A sound blob (its digest matches) whose gzip is cut short: the DiffID can never be checked.
    const truncated = GZIP.subarray(0, GZIP.length - 64 * 1024);
    const source = blobSource(truncated);
    const stream = streamOf(source.blob, 'layer 0', sha256(TAR));
    const early = async () => {
      for await (const _chunk of stream) break;
    };
    await expect(early()).rejects.toMatchObject({
      code: 'CORRUPT_COMPRESSED_DATA',
      details: { layer: 'layer 0' },
    });
    expect(source.released()).toBe(true);
  });

  it('unchecked: the source is released without reading on', async () => {
    const source = blobSource(GZIP);
    const stream = streamOf(source.blob, 'layer 0');
    for await (const _chunk of stream) break;
    expect(source.released()).toBe(true);
    expect(source.read()).toBeLessThan(GZIP.length);
  });

  it('a format the runtime cannot read: UNSUPPORTED_COMPRESSION naming the layer, the source released', async () => {
    const noZstd = withoutZstd(nodeRuntime);
    const zstdMagic = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), bytesOf(2, 4 * CHUNK)]);
    const source = blobSource(zstdMagic);
    const error = await readAll(
      new LayerStream(source.blob, { runtime: noZstd, layer: 'layer 5', diffID: sha256(TAR) }),
    );
    expect(error).toMatchObject({ code: 'UNSUPPORTED_COMPRESSION', details: { layer: 'layer 5' } });
    expect(source.released()).toBe(true);
    expect(source.read()).toBeLessThan(zstdMagic.length);
  });
});

describe('checkDiffID', () => {
  it('passes a match and names layer, expected and actual on a mismatch', () => {
    const a = sha256(new Uint8Array([1]));
    const b = sha256(new Uint8Array([2]));
    expect(() => checkDiffID('layer 0', a, a)).not.toThrow();
    expect(() => checkDiffID('layer 0 (sha256:x)', a, b)).toThrow(
      expect.objectContaining({
        code: 'DIFFID_MISMATCH',
        details: { layer: 'layer 0 (sha256:x)', expected: a, actual: b },
      }),
    );
  });
});
