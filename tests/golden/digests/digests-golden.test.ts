/**
 * Digest stability as a tested promise: the same layer, compressed the same way, has the same
 * blob digest on every Node of the support matrix (20.19+, 22, 24) and every architecture
 * (scripts/check-digest-goldens.mjs runs the same corpus on arm64). A change of these goldens
 * is a change of every image layerkit writes: call it out in the CHANGELOG.
 */
import { LayerkitError } from '@layerkit/digest';
import { describe, expect, it } from 'vitest';
import {
  corpusTar,
  GZIP_GOLDEN,
  gzipDigests,
  hasZstd,
  renderGolden,
  ZSTD_GOLDEN,
  zstdDigests,
} from './digest-corpus.js';

const tar = await corpusTar();

describe(`layer digests of the fixed corpus (Node ${process.version}, ${process.arch})`, () => {
  it('pins the tar DiffID and the none and gzip blobs (levels 1, 6, 9; 1 block, 1 MiB and 32 KiB blocks)', async () => {
    await expect(renderGolden(await gzipDigests(tar))).toMatchFileSnapshot(GZIP_GOLDEN);
  });

  if (hasZstd()) {
    it('pins the zstd blobs (levels 1, 3, 9)', async () => {
      await expect(renderGolden(await zstdDigests(tar))).toMatchFileSnapshot(ZSTD_GOLDEN);
    });
  } else {
    it('rejects zstd with UNSUPPORTED_COMPRESSION where node:zlib has none', async () => {
      const rejection = expect(zstdDigests(tar)).rejects;
      await rejection.toBeInstanceOf(LayerkitError);
      await expect(zstdDigests(tar)).rejects.toMatchObject({
        code: 'UNSUPPORTED_COMPRESSION',
        message: expect.stringMatching(/zstd/),
      });
    });
  }
});
