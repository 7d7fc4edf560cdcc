/**
 * `listImages`: the rows `layerkit images` prints, read from a layout, an oci-archive and a
 * docker-archive holding the same images: one row per tag named as Docker names it, the config
 * digest as ID, the manifest digest, `created`, the layers' summed size; untagged entries as
 * `<none>`; a row per platform of a multi-platform tag; newest first; the name filter; a
 * reference naming one image instead of a store refused; and a hostile docker-archive's paths
 * resolved inside it only (R12), its layer count checked (R7).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Descriptor, type ImageIndex, type ImageListRow, MediaTypes } from '@layerkit/image';
import { commit, convert, createIndex, importRootfs, listImages } from '@layerkit/image/node';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BASE_TREE,
  blobPath,
  buildBase,
  EPOCH,
  editedRootfs,
  readIndex,
  readTagged,
  sha256Of,
  writeTree,
} from '../../../fixtures/image-ops.js';
import { useScratchDir } from '../../../fixtures/scratch.js';
import { writeArchive } from '../archive-builder.js';

const HOUR = 3600;
const work = useScratchDir('ops-list-images');
let layout: string;

/** The index.json entry of a layout's tag, without its annotations. */
function indexEntry(dir: string, tag: string): Descriptor {
  const { annotations: _annotations, ...entry } = readIndex(dir).manifests.find(
    (m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag,
  )!;
  return entry;
}

/** The row a layout tag should give: its config, manifest, created and summed layer sizes. */
function expectedRow(tag: string, repository: string, shownTag: string): ImageListRow {
  const { manifestDigest, manifest, config } = readTagged(layout, tag);
  return {
    repository,
    tag: shownTag,
    id: manifest.config.digest,
    digest: manifestDigest,
    created: config.created!,
    size: manifest.layers.reduce((sum, layer) => sum + layer.size, 0),
  };
}

beforeAll(async () => {
  layout = join(work.path, 'images');
  await buildBase(work.path, layout, 'nginx');
  await commit({
    base: `oci:${layout}:nginx`,
    rootfs: editedRootfs(work.path),
    dest: `oci:${layout}:nginx:v2`,
    sourceDateEpoch: EPOCH + 2 * HOUR,
  });
  // Tagged with a full Docker name, between the two in time.
  const other = join(work.path, 'other-rootfs');
  writeTree(other, { ...BASE_TREE, 'etc/other': { type: 'file', content: 'other\n' } });
  await importRootfs({
    rootfs: other,
    dest: `oci:${layout}:example.com:5000/team/app:1.0`,
    platform: { os: 'linux', architecture: 'arm64' },
    sourceDateEpoch: EPOCH + HOUR,
  });
  // An untagged entry: a copy into the layout with no tag.
  await convert(`oci:${layout}:nginx`, `oci:${layout}`);
});

describe('an OCI layout', () => {
  it('one row per index.json entry, named as Docker names, newest first, untagged as <none>', async () => {
    const untagged = readIndex(layout).manifests.at(-1)!;
    expect(untagged.annotations?.['org.opencontainers.image.ref.name']).toBeUndefined();
    const base = expectedRow('nginx', 'nginx', 'latest');
    expect(await listImages(`oci:${layout}`)).toEqual([
      expectedRow('nginx:v2', 'nginx', 'v2'),
      expectedRow('example.com:5000/team/app:1.0', 'example.com:5000/team/app', '1.0'),
      base,
      { ...base, repository: '<none>', tag: '<none>', digest: untagged.digest },
    ]);
  });

  it('the size is the sum of the layer blobs, the ID the config digest', async () => {
    const { manifest } = readTagged(layout, 'nginx:v2');
    expect(manifest.layers).toHaveLength(2);
    const [row] = await listImages(`oci:${layout}`, { filter: 'nginx:v2' });
    expect(row!.size).toBe(manifest.layers[0]!.size + manifest.layers[1]!.size);
    expect(row!.id).toBe(manifest.config.digest);
  });

  it('the filter keeps a repository, a tag, or a glob, and never <none>', async () => {
    const names = async (filter: string) =>
      (await listImages(`oci:${layout}`, { filter })).map((row) => `${row.repository}:${row.tag}`);
    expect(await names('nginx')).toEqual(['nginx:v2', 'nginx:latest']);
    expect(await names('nginx:latest')).toEqual(['nginx:latest']);
    expect(await names('example.com:5000/*/app')).toEqual(['example.com:5000/team/app:1.0']);
    expect(await names('*')).toEqual(['nginx:v2', 'nginx:latest']);
    expect(await names('redis')).toEqual([]);
  });

  it('a parsed reference works as its text does', async () => {
    expect(await listImages({ transport: 'oci', path: layout })).toEqual(await listImages(`oci:${layout}`));
  });

  it('a multi-platform tag lists each platform, attestations left out', async () => {
    const multi = join(work.path, 'multi');
    await convert(`oci:${layout}:nginx`, `oci:${multi}:amd64`);
    await convert(`oci:${layout}:example.com:5000/team/app:1.0`, `oci:${multi}:arm64`);
    await createIndex({ images: [`oci:${multi}:amd64`, `oci:${multi}:arm64`], dest: `oci:${multi}:app:v1` });
    const rows = await listImages(`oci:${multi}`, { filter: 'app' });
    const amd64 = readTagged(multi, 'amd64');
    const arm64 = readTagged(multi, 'arm64');
    expect(rows.map((row) => [row.tag, row.platform, row.id, row.digest])).toEqual([
      ['v1', 'linux/arm64', arm64.manifest.config.digest, arm64.manifestDigest],
      ['v1', 'linux/amd64', amd64.manifest.config.digest, amd64.manifestDigest],
    ]);
    // Single-platform tags carry no platform.
    expect((await listImages(`oci:${multi}`, { filter: 'amd64' }))[0]!.platform).toBeUndefined();

    // An attestation entry (buildx's unknown/unknown) is no platform of the image.
    const attested: ImageIndex = {
      schemaVersion: 2,
      mediaType: MediaTypes.ociIndex,
      manifests: [
        { ...indexEntry(multi, 'amd64'), platform: { os: 'linux', architecture: 'amd64' } },
        { ...indexEntry(multi, 'arm64'), platform: { os: 'unknown', architecture: 'unknown' } },
      ],
    };
    const bytes = Buffer.from(JSON.stringify(attested));
    const digest = sha256Of(bytes);
    writeFileSync(blobPath(multi, digest), bytes);
    const index = readIndex(multi);
    index.manifests.push({
      mediaType: MediaTypes.ociIndex,
      digest,
      size: bytes.length,
      annotations: { 'org.opencontainers.image.ref.name': 'attested' },
    });
    writeFileSync(join(multi, 'index.json'), JSON.stringify(index));
    const attestedRows = await listImages(`oci:${multi}`, { filter: 'attested' });
    expect(attestedRows.map((row) => [row.platform, row.id])).toEqual([
      ['linux/amd64', amd64.manifest.config.digest],
    ]);
  });
});

describe('archives', () => {
  it('an oci-archive lists what the layout it was copied from lists', async () => {
    const archive = join(work.path, 'images.tar');
    await convert(`oci:${layout}:nginx:v2`, `oci-archive:${archive}:nginx:v2`);
    expect(await listImages(`oci-archive:${archive}`)).toEqual([expectedRow('nginx:v2', 'nginx', 'v2')]);
  });

  it('a docker-archive lists its RepoTags from manifest.json, without a manifest digest', async () => {
    const archive = join(work.path, 'docker.tar');
    await convert(`oci:${layout}:nginx:v2`, `docker-archive:${archive}:nginx:v2`);
    const { digest: _manifest, ...row } = expectedRow('nginx:v2', 'nginx', 'v2');
    expect(await listImages(`docker-archive:${archive}`)).toEqual([row]);
  });
});

describe('refusals', () => {
  it.each([
    ['a layout tag', () => `oci:${layout}:nginx`],
    ['an oci-archive tag', () => `oci-archive:${layout}.tar:nginx`],
    ['a docker-archive name', () => `docker-archive:${layout}.tar:nginx:v2`],
    ['a docker-archive index', () => `docker-archive:${layout}.tar:@0`],
    ['a registry tag', () => 'docker://localhost:5000/app:v1'],
    ['a registry digest', () => `docker://localhost:5000/app@sha256:${'0'.repeat(64)}`],
  ])('%s names one image, not a store (INVALID_REFERENCE)', async (_what, location) => {
    await expect(listImages(location())).rejects.toMatchObject({
      code: 'INVALID_REFERENCE',
      message: expect.stringContaining('names one image'),
    });
  });

  it.each([
    ['a Config path that climbs out of the archive', '../../x.json', ['layer.tar'], 'ARCHIVE_PATH_ESCAPE'],
    ['a layer the archive does not hold', 'config.json', ['missing.tar'], 'ARCHIVE_MEMBER_MISSING'],
    ['more layers than diff_ids', 'config.json', ['layer.tar', 'layer.tar'], 'LAYER_COUNT_MISMATCH'],
  ])('a docker-archive with %s is refused (%s)', async (_what, config, layers, code) => {
    const file = join(work.path, `hostile-${code}.tar`);
    const configJson = {
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [`sha256:${'0'.repeat(64)}`] },
    };
    await writeArchive(file, [
      {
        name: 'manifest.json',
        content: JSON.stringify([{ Config: config, RepoTags: ['evil:latest'], Layers: layers }]),
      },
      { name: 'config.json', content: JSON.stringify(configJson) },
      { name: 'layer.tar', content: 'not read' },
    ]);
    await expect(listImages(`docker-archive:${file}`)).rejects.toMatchObject({ code });
  });

  it('a file without manifest.json is NOT_A_DOCKER_ARCHIVE', async () => {
    const file = join(work.path, 'empty.tar');
    await writeArchive(file, [{ name: 'other', content: 'x' }]);
    await expect(listImages(`docker-archive:${file}`)).rejects.toMatchObject({
      code: 'NOT_A_DOCKER_ARCHIVE',
    });
  });

  it('a directory that is no layout is NOT_AN_OCI_LAYOUT', async () => {
    await expect(listImages(`oci:${join(work.path, 'nothing')}`)).rejects.toMatchObject({
      code: 'NOT_AN_OCI_LAYOUT',
    });
  });
});
