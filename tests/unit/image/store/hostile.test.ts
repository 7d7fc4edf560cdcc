import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Bytes } from '@layerkit/digest';
import { nodeRuntime } from '@layerkit/digest/node';
import { canonicalJson, type Descriptor, MediaTypes } from '@layerkit/image';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDockerArchiveSource } from '../../../../packages/image/src/node/store/docker-archive-source.js';
import { openDockerArchiveSink } from '../../../../packages/image/src/node/store/docker-archive-store.js';
import { openOciArchiveSource } from '../../../../packages/image/src/node/store/oci-archive-store.js';
import {
  openLayoutSink,
  openLayoutSource,
} from '../../../../packages/image/src/node/store/oci-layout-store.js';
import { useScratchDir } from '../../../fixtures/scratch.js';
import { writeArchive } from '../archive-builder.js';
import { rejectionOf, type TinyImage, tinyImage, writeTiny } from '../tiny-image.js';

const tmp = useScratchDir('store', { per: 'test' });
let tiny: TinyImage;
beforeEach(async () => {
  tiny = await tinyImage();
});

const hex = (digest: string) => digest.slice('sha256:'.length);
const digestOf = (bytes: Uint8Array) => sha256Bytes(bytes, nodeRuntime.sha256);

async function layoutWithTiny(): Promise<string> {
  const dir = join(tmp.path, 'layout');
  await writeTiny(await openLayoutSink(dir, 'v1'), tiny);
  return dir;
}

function rewriteIndex(dir: string, change: (index: { manifests: Record<string, unknown>[] }) => void) {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  change(index);
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
}

/** The tiny image's members as an OCI layout inside an archive. */
function layoutMembers(index: unknown, overrides: Record<string, Uint8Array | string> = {}) {
  return [
    { name: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' },
    { name: 'index.json', content: JSON.stringify(index) },
    { name: `blobs/sha256/${hex(tiny.manifest.digest)}`, content: tiny.manifest.bytes },
    { name: `blobs/sha256/${hex(tiny.config.digest)}`, content: tiny.config.bytes },
    { name: `blobs/sha256/${hex(tiny.layer.digest)}`, content: tiny.layerBytes },
    ...Object.entries(overrides).map(([name, content]) => ({ name, content })),
  ];
}

const tinyIndex = () => ({
  schemaVersion: 2,
  manifests: [
    { mediaType: MediaTypes.ociManifest, digest: tiny.manifest.digest, size: tiny.manifest.bytes.length },
  ],
});

describe('hostile OCI layouts', () => {
  it('R1: a path-traversal digest in index.json is INVALID_DIGEST, never a path', async () => {
    const dir = await layoutWithTiny();
    rewriteIndex(dir, (index) => {
      index.manifests[0]!.digest = 'sha256:../../../../etc/passwd';
    });
    expect((await rejectionOf(openLayoutSource(dir))).code).toBe('INVALID_DIGEST');
  });

  it('R3: a huge index.json is refused from its size, before parsing', async () => {
    const dir = await layoutWithTiny();
    writeFileSync(
      join(dir, 'index.json'),
      `{"schemaVersion":2,"manifests":[],"x":"${'a'.repeat(5 * 1024 * 1024)}"}`,
    );
    expect((await rejectionOf(openLayoutSource(dir))).code).toBe('JSON_TOO_LARGE');
  });

  it('R3: a manifest descriptor claiming 2 GB is refused before any read', async () => {
    const dir = await layoutWithTiny();
    rewriteIndex(dir, (index) => {
      index.manifests[0]!.size = 2 ** 31;
    });
    expect((await rejectionOf((await openLayoutSource(dir)).resolve('v1'))).code).toBe('JSON_TOO_LARGE');
  });

  it('R4: a manifest that also has "manifests" is MEDIA_TYPE_MISMATCH', async () => {
    const dir = await layoutWithTiny();
    const confused = canonicalJson({ ...tiny.manifest.value, manifests: [] });
    writeFileSync(join(dir, 'blobs/sha256', hex(digestOf(confused))), confused);
    rewriteIndex(dir, (index) => {
      index.manifests[0]!.digest = digestOf(confused);
      index.manifests[0]!.size = confused.length;
    });
    expect((await rejectionOf((await openLayoutSource(dir)).resolve('v1'))).code).toBe('MEDIA_TYPE_MISMATCH');
  });

  it('R2: a blob whose bytes do not match its digest is BLOB_CORRUPT', async () => {
    const dir = await layoutWithTiny();
    const config = Buffer.from(tiny.config.bytes);
    config[config.length - 2]! ^= 1;
    writeFileSync(join(dir, 'blobs/sha256', hex(tiny.config.digest)), config);
    expect((await rejectionOf((await openLayoutSource(dir)).resolve('v1'))).code).toBe('BLOB_CORRUPT');
  });

  it('R11: indexes nested deeper than 8 are INDEX_TOO_DEEP', async () => {
    const dir = await layoutWithTiny();
    let child: Descriptor = {
      mediaType: MediaTypes.ociManifest,
      digest: tiny.manifest.digest,
      size: tiny.manifest.bytes.length,
    };
    for (let depth = 0; depth < 10; depth++) {
      const bytes = canonicalJson({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [child] });
      writeFileSync(join(dir, 'blobs/sha256', hex(digestOf(bytes))), bytes);
      child = { mediaType: MediaTypes.ociIndex, digest: digestOf(bytes), size: bytes.length };
    }
    rewriteIndex(dir, (index) => {
      index.manifests[0] = { ...child, annotations: { 'org.opencontainers.image.ref.name': 'v1' } };
    });
    expect((await rejectionOf((await openLayoutSource(dir)).resolve('v1'))).code).toBe('INDEX_TOO_DEEP');
  });

  it('R13: an unknown layout version is UNSUPPORTED_OCI_VERSION', async () => {
    const dir = await layoutWithTiny();
    writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"9.9.9"}');
    expect((await rejectionOf(openLayoutSource(dir))).code).toBe('UNSUPPORTED_OCI_VERSION');
    expect((await rejectionOf(openLayoutSink(dir, 'v2'))).code).toBe('UNSUPPORTED_OCI_VERSION');
  });

  it('R18: a tag outside the ref.name grammar is refused before anything is written', async () => {
    expect((await rejectionOf(openLayoutSink(join(tmp.path, 'x'), '../../x'))).code).toBe('INVALID_REF_NAME');
  });

  it('index.json as a symlink is not followed', async () => {
    const dir = await layoutWithTiny();
    const { symlinkSync, rmSync } = await import('node:fs');
    rmSync(join(dir, 'index.json'));
    symlinkSync('/etc/passwd', join(dir, 'index.json'));
    expect((await rejectionOf(openLayoutSource(dir))).code).toBe('NOT_A_REGULAR_FILE');
  });
});

describe('hostile archives', () => {
  it('R12: a blob member that is a symlink is ignored (BLOB_MISSING), never followed', async () => {
    const file = join(tmp.path, 'oci.tar');
    const members = layoutMembers(tinyIndex()).filter((m) => !m.name.endsWith(hex(tiny.config.digest)));
    await writeArchive(file, [
      ...members,
      { name: `blobs/sha256/${hex(tiny.config.digest)}`, symlink: '/etc/passwd' },
    ]);
    const source = await openOciArchiveSource(file);
    expect((await rejectionOf(source.resolve())).code).toBe('BLOB_MISSING');
    await source.close();
  });

  it('R12: a manifest.json Config path that climbs out of the archive is ARCHIVE_PATH_ESCAPE', async () => {
    const file = join(tmp.path, 'docker.tar');
    const manifest = [{ Config: '../../x.json', RepoTags: ['evil:latest'], Layers: ['layer.tar'] }];
    await writeArchive(file, [
      { name: 'manifest.json', content: JSON.stringify(manifest) },
      { name: 'layer.tar', content: tiny.layerBytes },
    ]);
    const source = await openDockerArchiveSource(file);
    expect((await rejectionOf(source.resolve('evil:latest'))).code).toBe('ARCHIVE_PATH_ESCAPE');
    await source.close();
  });

  it('R12: an absolute Layers path is looked up inside the archive only', async () => {
    const file = join(tmp.path, 'docker.tar');
    const manifest = [{ Config: 'config.json', RepoTags: [], Layers: ['/etc/shadow'] }];
    await writeArchive(file, [
      { name: 'manifest.json', content: JSON.stringify(manifest) },
      { name: 'config.json', content: tiny.config.bytes },
    ]);
    const source = await openDockerArchiveSource(file);
    expect((await rejectionOf(source.resolve())).code).toBe('ARCHIVE_MEMBER_MISSING');
    await source.close();
  });

  it('R13: an oci-archive with layout version 9.9.9 is UNSUPPORTED_OCI_VERSION', async () => {
    const file = join(tmp.path, 'oci.tar');
    await writeArchive(file, [
      { name: 'oci-layout', content: '{"imageLayoutVersion":"9.9.9"}' },
      ...layoutMembers(tinyIndex()).slice(1),
    ]);
    expect((await rejectionOf(openOciArchiveSource(file))).code).toBe('UNSUPPORTED_OCI_VERSION');
  });

  it('R2: a corrupted blob member is BLOB_CORRUPT', async () => {
    const file = join(tmp.path, 'oci.tar');
    const bad = Buffer.from(tiny.config.bytes);
    bad[5]! ^= 1;
    const members = layoutMembers(tinyIndex()).filter((m) => !m.name.endsWith(hex(tiny.config.digest)));
    await writeArchive(file, [...members, { name: `blobs/sha256/${hex(tiny.config.digest)}`, content: bad }]);
    const source = await openOciArchiveSource(file);
    expect((await rejectionOf(source.resolve())).code).toBe('BLOB_CORRUPT');
    await source.close();
  });

  it('a truncated archive is ARCHIVE_CORRUPT', async () => {
    const file = join(tmp.path, 'oci.tar');
    await writeArchive(file, layoutMembers(tinyIndex()));
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, 2048 + 100));
    expect((await rejectionOf(openOciArchiveSource(file))).code).toBe('ARCHIVE_CORRUPT');
  });
});

describe('classic (pre-25) docker-archives', () => {
  async function classic(layers: Uint8Array[], diffIds: string[]) {
    const config = canonicalJson({ ...tiny.config.value, rootfs: { type: 'layers', diff_ids: diffIds } });
    const file = join(tmp.path, 'classic.tar');
    await writeArchive(file, [
      { name: `${hex(digestOf(config))}.json`, content: config },
      ...layers.map((content, i) => ({ name: `id${i}/layer.tar`, content })),
      {
        name: 'manifest.json',
        content: JSON.stringify([
          {
            Config: `${hex(digestOf(config))}.json`,
            RepoTags: ['example.com/fx:latest'],
            Layers: layers.map((_, i) => `id${i}/layer.tar`),
          },
        ]),
      },
    ]);
    return { file, configDigest: digestOf(config) };
  }

  it('synthesizes an OCI manifest after checking DiffIDs (gzip and plain layers)', async () => {
    const plain = await tinyImage({ 'b.txt': 'plain' }, 'none');
    const { file, configDigest } = await classic(
      [tiny.layerBytes, plain.layerBytes],
      [tiny.layer.diffID, plain.layer.diffID],
    );
    const source = await openDockerArchiveSource(file);
    const image = await source.resolve('example.com/fx');
    expect(image.config.digest).toBe(configDigest);
    expect(image.manifest.value.mediaType).toBe(MediaTypes.ociManifest);
    expect(image.manifest.value.layers.map((l) => [l.mediaType, l.digest])).toEqual([
      [MediaTypes.ociLayerGzip, tiny.layer.digest],
      [MediaTypes.ociLayer, plain.layer.digest],
    ]);
    expect(await source.blobs.get(image.manifestDescriptor)).toEqual(image.manifest.bytes);
    expect(
      Buffer.from(await source.blobs.get(image.manifest.value.layers[0]!)).equals(
        Buffer.from(tiny.layerBytes),
      ),
    ).toBe(true);
    await source.close();
  });

  it('R22: a gzip layer with bytes after the gzip end is named by the digest of the whole member', async () => {
    // gunzip ignores trailing zeros (32 MiB: past its read-ahead); the blob digest must cover them.
    const padded = Buffer.concat([tiny.layerBytes, new Uint8Array(32 * 1024 * 1024)]);
    const source = await openDockerArchiveSource((await classic([padded], [tiny.layer.diffID])).file);
    const image = await source.resolve();
    expect(image.manifest.value.layers[0]).toMatchObject({ digest: digestOf(padded), size: padded.length });
    await source.close();
  });

  it('R7: a layer whose content does not match its DiffID is DIFFID_MISMATCH', async () => {
    const other = await tinyImage({ 'c.txt': 'other' });
    const source = await openDockerArchiveSource(
      (await classic([other.layerBytes], [tiny.layer.diffID])).file,
    );
    expect((await rejectionOf(source.resolve())).code).toBe('DIFFID_MISMATCH');
    await source.close();
  });

  it('R7: a layer count different from the diff_ids is LAYER_COUNT_MISMATCH', async () => {
    const source = await openDockerArchiveSource((await classic([tiny.layerBytes], [])).file);
    expect((await rejectionOf(source.resolve())).code).toBe('LAYER_COUNT_MISMATCH');
    await source.close();
  });

  it('a docker-archive we wrote is read through its OCI layout, digests unchanged', async () => {
    const file = join(tmp.path, 'docker.tar');
    const sink = openDockerArchiveSink(file, 'example.com/fx:1');
    await writeTiny(sink, tiny);
    await sink.close();
    const source = await openDockerArchiveSource(file);
    expect((await source.resolve('@0')).manifestDescriptor.digest).toBe(tiny.manifest.digest);
    expect((await rejectionOf(source.resolve('@1'))).code).toBe('IMAGE_NOT_FOUND');
    await source.close();
  });
});
