/**
 * Where a commit reads from and writes to: another layout or an archive (the base layers must
 * be copied), the base's own tag (replaced), a platform picked from a multi-platform base, and
 * Docker-typed bases (classic `docker save` archives, schema2 manifests) whose result must
 * carry OCI media types only.
 */
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ImageIndex } from '@layerkit/image';
import { MediaTypes } from '@layerkit/image';
import { type CommitOptions, commit, convert, importRootfs, verify } from '@layerkit/image/node';
import { describe, expect, it } from 'vitest';
import {
  BASE_TREE,
  blobPath,
  EPOCH,
  editedRootfs,
  readBlob,
  readIndex,
  readTagged,
  rewriteImage,
  sha256Of,
  useBaseLayout,
  writeTree,
} from '../../../fixtures/image-ops.js';
import { writeArchive } from '../archive-builder.js';

const ctx = useBaseLayout();

/** Commits the standard edits on `base` into `dest` with fixed metadata. */
function commitEdits(base: string, dest: string, extra: Pick<CommitOptions, 'platform'> = {}) {
  return commit({ base, rootfs: editedRootfs(ctx.dir), dest, sourceDateEpoch: EPOCH, ...extra });
}

describe('destinations other than the base layout get the base layers too', () => {
  it('a new layout: complete, verified, platform on the index descriptor', async () => {
    const other = join(ctx.dir, 'other');
    await commitEdits(ctx.base, `oci:${other}:v2`);
    expect(await verify(`oci:${other}:v2`)).toMatchObject({ ok: true, problems: [] });
    const index = readIndex(other);
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0]!.platform).toEqual({ architecture: 'amd64', os: 'linux' });
    const baseLayer = readTagged(ctx.layout, 'base').manifest.layers[0]!;
    expect(readBlob(other, baseLayer.digest).length).toBe(baseLayer.size);
  });

  it.each(['oci-archive', 'docker-archive'])('a %s: complete and verified', async (transport) => {
    const dest = `${transport}:${join(ctx.dir, 'out.tar')}:example.com/app:2`;
    const result = await commitEdits(ctx.base, dest);
    const report = await verify(dest);
    expect(report).toMatchObject({ ok: true, manifest: result.manifest.digest, config: result.imageId });
    expect(report.layers).toHaveLength(2);
  });
});

describe('the destination is the base tag itself', () => {
  it('in a layout: the tag moves to the commit, the old manifest stays in blobs/', async () => {
    const old = readTagged(ctx.layout, 'base');
    const first = await commitEdits(ctx.base, ctx.base);
    const index = readIndex(ctx.layout);
    expect(index.manifests.map((m) => m.digest)).toEqual([first.manifest.digest]);
    expect(readBlob(ctx.layout, old.manifestDigest).length).toBeGreaterThan(0);
    // A second commit on the moved tag builds on the first. (The first clamped new.txt's
    // mtime to the epoch in its layer: put the rootfs in step, else that is a change.)
    utimesSync(join(ctx.dir, 'rootfs/srv/data/new.txt'), EPOCH, EPOCH);
    const second = await commit({
      base: ctx.base,
      rootfs: join(ctx.dir, 'rootfs'),
      dest: ctx.base,
      comment: 'again',
    });
    expect(second.layer).toBeUndefined();
    const { config } = readTagged(ctx.layout, 'base');
    expect(config.history).toHaveLength(3);
    expect(config.rootfs.diff_ids).toEqual([...old.config.rootfs.diff_ids, first.layer!.diffID]);
  });

  it.each(['oci-archive', 'docker-archive'])(
    'in a %s: the archive is replaced by a complete one',
    async (transport) => {
      const archive = `${transport}:${join(ctx.dir, 'image.tar')}:example.com/app:1`;
      await convert(ctx.base, archive);
      const result = await commitEdits(archive, archive);
      expect(await verify(archive)).toMatchObject({ ok: true, manifest: result.manifest.digest });
    },
  );
});

describe('platforms', () => {
  it('a single-platform base with a variant keeps it, in the config and on the index descriptor', async () => {
    const rootfs = join(ctx.dir, 'arm-src');
    writeTree(rootfs, BASE_TREE);
    const arm = `oci:${ctx.layout}:arm`;
    const platform = { architecture: 'arm64', os: 'linux', variant: 'v8' };
    await importRootfs({ rootfs, dest: arm, platform, sourceDateEpoch: EPOCH });
    await commitEdits(arm, `oci:${ctx.layout}:arm2`);
    const { config } = readTagged(ctx.layout, 'arm2');
    expect([config.architecture, config.os, config.variant]).toEqual(['arm64', 'linux', 'v8']);
    const descriptor = readIndex(ctx.layout).manifests.find(
      (m) => m.annotations?.['org.opencontainers.image.ref.name'] === 'arm2',
    );
    expect(descriptor!.platform).toEqual(platform);
  });

  it('a multi-platform base: the platform option picks the image committed on', async () => {
    const rootfs = join(ctx.dir, 'arm-src');
    writeTree(rootfs, BASE_TREE);
    const platform = { architecture: 'arm64', os: 'linux', variant: 'v8' };
    await importRootfs({ rootfs, dest: `oci:${ctx.layout}:arm`, platform, sourceDateEpoch: EPOCH });
    const index = readIndex(ctx.layout);
    const multi: ImageIndex = {
      schemaVersion: 2,
      mediaType: MediaTypes.ociIndex,
      manifests: index.manifests.map(({ annotations: _, ...m }) => m),
    };
    const bytes = Buffer.from(JSON.stringify(multi));
    const digest = sha256Of(bytes);
    writeFileSync(blobPath(ctx.layout, digest), bytes);
    writeFileSync(
      join(ctx.layout, 'index.json'),
      JSON.stringify({
        ...index,
        manifests: [
          ...index.manifests,
          {
            mediaType: MediaTypes.ociIndex,
            digest,
            size: bytes.length,
            annotations: { 'org.opencontainers.image.ref.name': 'multi' },
          },
        ],
      }),
    );
    const multiRef = `oci:${ctx.layout}:multi`;
    for (const want of [platform, { architecture: 'amd64', os: 'linux' }]) {
      await commitEdits(multiRef, `oci:${ctx.layout}:out`, { platform: want });
      const { config } = readTagged(ctx.layout, 'out');
      expect(config.architecture).toBe(want.architecture);
    }
  });
});

describe('Docker-typed bases give OCI-typed results', () => {
  /** Expects every media type of the image `tag` in `layout` (index entry included) to be OCI. */
  function expectOciTyped(layout: string, tag: string) {
    const { manifest, manifestDigest } = readTagged(layout, tag);
    const descriptor = readIndex(layout).manifests.find((m) => m.digest === manifestDigest)!;
    expect(descriptor.mediaType).toBe(MediaTypes.ociManifest);
    expect(manifest.mediaType).toBe(MediaTypes.ociManifest);
    expect(manifest.config.mediaType).toBe(MediaTypes.ociConfig);
    for (const layer of manifest.layers)
      expect(layer.mediaType).toMatch(/^application\/vnd\.oci\.image\.layer\.v1\.tar/);
  }

  it('a schema2 manifest in a layout (as skopeo --format v2s2 writes)', async () => {
    rewriteImage(ctx.layout, 'base', ({ manifest }) => {
      manifest.mediaType = MediaTypes.dockerManifest;
      manifest.config.mediaType = MediaTypes.dockerConfig;
      manifest.layers = manifest.layers.map((layer) => ({ ...layer, mediaType: MediaTypes.dockerLayerGzip }));
    });
    expect(readTagged(ctx.layout, 'base').manifest.mediaType).toBe(MediaTypes.dockerManifest);
    await commitEdits(ctx.base, `oci:${ctx.layout}:v2`);
    expectOciTyped(ctx.layout, 'v2');
    expect(await verify(`oci:${ctx.layout}:v2`)).toMatchObject({ ok: true });
  });

  it('a classic docker save archive (manifest.json, config, plain layer.tar)', async () => {
    const { manifest, config } = readTagged(ctx.layout, 'base');
    const configBytes = readBlob(ctx.layout, manifest.config.digest);
    const layerTar = gunzipSync(readBlob(ctx.layout, manifest.layers[0]!.digest));
    expect(sha256Of(layerTar)).toBe(config.rootfs.diff_ids[0]);
    const hex = manifest.config.digest.slice('sha256:'.length);
    const file = join(ctx.dir, 'classic.tar');
    await writeArchive(file, [
      { name: `${hex}.json`, content: configBytes },
      { name: 'abc123/layer.tar', content: layerTar },
      {
        name: 'manifest.json',
        content: JSON.stringify([
          { Config: `${hex}.json`, RepoTags: ['app:1'], Layers: ['abc123/layer.tar'] },
        ]),
      },
    ]);
    const fromClassic = await commitEdits(`docker-archive:${file}`, `oci:${ctx.layout}:from-classic`);
    const fromOci = await commitEdits(ctx.base, `oci:${ctx.layout}:from-oci`);
    expectOciTyped(ctx.layout, 'from-classic');
    expect(fromClassic.layer!.diffID).toBe(fromOci.layer!.diffID);
    expect(fromClassic.imageId).toBe(fromOci.imageId);
    expect(await verify(`oci:${ctx.layout}:from-classic`)).toMatchObject({ ok: true });
  });
});
