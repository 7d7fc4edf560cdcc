/**
 * Issue 7, the matrix: every image layerkit writes (see fixtures/layerkit-images.ts) judged by
 * skopeo, umoci, oci-image-tool, buildah and a registry. Each row is one kind of change committed
 * on top of the previous row; the trees the clients unpack must equal the rootfs we committed.
 */
import { join } from 'node:path';
import { convert } from '@layerkit/image/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Buildah, createBuildah } from './clients/buildah.js';
import { sha256Digest } from './clients/digest.js';
import { type LayoutImage, readLayoutImage } from './clients/layout.js';
import { validateLayout } from './clients/oci-image-tool.js';
import { type Registry, startRegistry } from './clients/registry.js';
import { useInteropScratchDir } from './clients/scratch.js';
import * as skopeo from './clients/skopeo.js';
import { walkTree } from './clients/tree.js';
import * as umoci from './clients/umoci.js';
import { LATIN1_NAME, LONG_NAME, UNICODE_NAME } from './fixtures/busybox-rootfs.js';
import {
  buildLayerkitImages,
  CONFIG_CHANGES,
  type LayerkitImages,
  MATRIX_AUTHOR,
  MATRIX_MESSAGE,
  MATRIX_TAGS,
  withClientRoot,
} from './fixtures/layerkit-images.js';

const GZIP_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const PLAIN_LAYER = 'application/vnd.oci.image.layer.v1.tar';

let built: LayerkitImages;
const scratch = useInteropScratchDir('layerkit-matrix');
let registry: Registry;
let buildah: Buildah;
const layouts = new Map<string, LayoutImage>();

/** The tag's image as read straight from the layout files (bytes verified). */
function layoutImage(tag: string): LayoutImage {
  let image = layouts.get(tag);
  if (image === undefined) {
    image = readLayoutImage(built.layout, tag);
    layouts.set(tag, image);
  }
  return image;
}

beforeAll(async () => {
  [built, registry] = await Promise.all([buildLayerkitImages(), startRegistry()]);
  buildah = createBuildah();
});

afterAll(async () => {
  await buildah?.dispose();
  await registry?.stop();
  built?.dispose();
});

describe('the layout layerkit wrote', () => {
  it('oci-image-tool validates every tag of it; umoci lists every tag', async () => {
    // no --ref: rc1 validates every ref then (its --ref filter is broken beyond two tags)
    await expect(validateLayout(built.layout)).resolves.toMatch(/Validation succeeded/);
    expect((await umoci.ls(built.layout)).sort()).toEqual([...MATRIX_TAGS].sort());
  });

  it('each commit adds exactly one layer and one history entry; compression as asked', () => {
    for (const image of built.images.filter((row) => row.parent !== undefined && row.tag !== 'squash')) {
      const child = layoutImage(image.tag);
      const parent = layoutImage(image.parent ?? '');
      const empty = image.tag === 'empty';
      expect(child.manifest.layers.slice(0, parent.manifest.layers.length)).toEqual(parent.manifest.layers);
      expect(child.manifest.layers).toHaveLength(parent.manifest.layers.length + (empty ? 0 : 1));
      expect(child.config.history).toHaveLength((parent.config.history ?? []).length + 1);
      expect(child.config.history?.at(-1)?.empty_layer ?? false).toBe(empty);
      expect(image.result.layer === undefined).toBe(empty);
      if (!empty) {
        expect(child.manifest.layers.at(-1)?.mediaType).toBe(
          image.compression === 'none' ? PLAIN_LAYER : GZIP_LAYER,
        );
      }
      expect(image.result.manifest.digest).toBe(child.descriptor.digest);
      expect(image.result.imageId).toBe(child.manifest.config.digest);
    }
  });

  it('the empty commit adds no layer: history entry empty_layer, same diff_ids as its parent', () => {
    const empty = layoutImage('empty');
    expect(empty.config.rootfs.diff_ids).toEqual(layoutImage('names').config.rootfs.diff_ids);
    expect(empty.config.history?.at(-1)).toMatchObject({ comment: 'nothing changed', empty_layer: true });
  });

  it('squash: one layer holding the whole rootfs, the older history kept as empty entries', () => {
    const squash = layoutImage('squash');
    const config = layoutImage('config');
    expect(squash.manifest.layers).toHaveLength(1);
    expect(squash.config.rootfs.diff_ids).toHaveLength(1);
    const history = squash.config.history ?? [];
    expect(history).toHaveLength((config.config.history ?? []).length + 1);
    expect(history.slice(0, -1).every((entry) => entry.empty_layer === true)).toBe(true);
    expect(history.at(-1)).toMatchObject({ comment: 'squashed' });
    expect(history.at(-1)?.empty_layer).toBeUndefined();
  });

  it('--change edits reach the config skopeo reads: CMD, ENV, EXPOSE, LABEL, WORKDIR, author', async () => {
    const raw = await skopeo.inspectConfigRaw(skopeo.ociRef(built.layout, 'config'));
    const config = JSON.parse(raw.toString('utf8')) as {
      author?: string;
      config: Record<string, unknown>;
      history: { author?: string; comment?: string; created_by?: string }[];
    };
    expect(config.author).toBe(MATRIX_AUTHOR);
    expect(config.config).toMatchObject({
      Cmd: ['/srv/app/run.sh'],
      Env: expect.arrayContaining(['GREETING=hello']),
      ExposedPorts: { '8080/tcp': {} },
      Labels: { 'org.example.matrix': 'layerkit interop' },
      WorkingDir: '/srv/app',
    });
    expect(config.history.at(-1)).toMatchObject({ author: MATRIX_AUTHOR, comment: MATRIX_MESSAGE });
    const facts = await skopeo.inspect(skopeo.ociRef(built.layout, 'config'));
    expect(facts.Labels).toEqual({ 'org.example.matrix': 'layerkit interop' });
    expect(CONFIG_CHANGES).toHaveLength(5);
  });

  it('the names row really holds the long, non-ASCII and non-UTF-8 names', () => {
    const paths = built.image('names').tree.map((fact) => fact.path);
    expect(paths).toContain(`/srv/${LONG_NAME}`);
    expect(paths).toContain(`/srv/${UNICODE_NAME}`);
    expect(paths).toContain(`/srv/${LATIN1_NAME.toString('latin1').replace('\xe9', '\\xe9')}`);
  });
});

describe.each(MATRIX_TAGS.map((tag) => [tag]))('%s', (tag) => {
  it('skopeo inspect reports our manifest digest and layers; copy to every transport', async () => {
    const image = layoutImage(tag);
    const ref = skopeo.ociRef(built.layout, tag);
    const facts = await skopeo.inspect(ref);
    expect(facts.Digest).toBe(image.descriptor.digest);
    expect(facts.Layers).toEqual(image.manifest.layers.map((layer) => layer.digest));
    expect((await skopeo.inspectRaw(ref)).equals(image.manifestBytes)).toBe(true);
    expect(sha256Digest(await skopeo.inspectConfigRaw(ref))).toBe(image.manifest.config.digest);

    const ociArchive = join(scratch.path, `${tag}.oci.tar`);
    await skopeo.copy(ref, skopeo.ociArchiveRef(ociArchive), { preserveDigests: true });
    expect((await skopeo.inspect(skopeo.ociArchiveRef(ociArchive))).Digest).toBe(image.descriptor.digest);
    // into docker-archive skopeo decompresses every layer and checks it against the diff_ids
    const dockerArchive = join(scratch.path, `${tag}.docker.tar`);
    await skopeo.copy(ref, skopeo.dockerArchiveRef(dockerArchive, `layerkit/matrix:${tag}`));
    expect((await skopeo.inspect(skopeo.dockerArchiveRef(dockerArchive))).Layers).toEqual(
      image.config.rootfs.diff_ids,
    );
    await skopeo.copy(ref, `dir:${join(scratch.path, `${tag}.dir`)}`, { preserveDigests: true });
  });

  it('oci-image-tool validates it alone in a layout (layerkit convert)', async () => {
    const single = join(scratch.path, `single-${tag}`);
    await convert(`oci:${built.layout}:${tag}`, `oci:${single}:${tag}`);
    expect(readLayoutImage(single, tag).descriptor.digest).toBe(layoutImage(tag).descriptor.digest);
    await expect(validateLayout(single, tag)).resolves.toMatch(/Validation succeeded/);
  });

  it('umoci unpack (root and --rootless) yields exactly the tree we committed', async () => {
    const expected = withClientRoot(built.image(tag).tree);
    const root = await umoci.unpack(built.layout, tag, join(scratch.path, `umoci-${tag}`));
    expect(await walkTree(root)).toEqual(expected);
    const rootless = await umoci.unpack(built.layout, tag, join(scratch.path, `umoci-rootless-${tag}`), {
      rootless: true,
    });
    // as root, --rootless still leaves files owned by root and records other owners in an xattr
    expect(umoci.withRootlessOwners(await walkTree(rootless))).toEqual(expected);
  });

  it('umoci stat joins every non-empty history entry to its layer', async () => {
    const image = layoutImage(tag);
    const { history } = await umoci.stat(built.layout, tag);
    expect(history.map((row) => row.comment)).toEqual(
      (image.config.history ?? []).map((entry) => entry.comment),
    );
    expect(history.filter((row) => row.layer).map((row) => row.layer?.digest)).toEqual(
      image.manifest.layers.map((layer) => layer.digest),
    );
    expect(history.filter((row) => row.layer).map((row) => row.diff_id)).toEqual(
      image.config.rootfs.diff_ids,
    );
  });

  it('buildah from: same manifest, diff_ids and history', async () => {
    const image = layoutImage(tag);
    const container = await buildah.from(built.layout, tag);
    const facts = await buildah.inspect(container);
    expect(facts.FromImageDigest).toBe(image.descriptor.digest);
    expect(facts.OCIv1.rootfs.diff_ids).toEqual(image.config.rootfs.diff_ids);
    expect(facts.OCIv1.history).toEqual(image.config.history);
  });

  it('registry push and pull keep the manifest digest and bytes', async () => {
    const image = layoutImage(tag);
    const repository = `layerkit/matrix-${tag}`;
    await registry.push(skopeo.ociRef(built.layout, tag), `${repository}:${tag}`);
    const served = await registry.manifest(repository, tag);
    expect([served.digest, served.headerDigest]).toEqual([image.descriptor.digest, image.descriptor.digest]);
    const pulled = join(scratch.path, `pulled-${tag}`);
    await registry.pull(`${repository}:${tag}`, skopeo.ociRef(pulled, tag));
    expect(readLayoutImage(pulled, tag).manifestBytes.equals(image.manifestBytes)).toBe(true);
    expect(registry.errors()).toEqual([]);
  });
});

describe('archives layerkit wrote (convert and direct commits)', () => {
  const kinds = [
    'topOci',
    'topDocker',
    'squashDocker',
    'seedOci',
    'seedDocker',
    'directOci',
    'directDocker',
  ] as const;
  it.each(kinds.map((kind) => [kind]))(
    '%s: skopeo reads and copies it; umoci unpacks the tree',
    async (kind) => {
      const archive = built.archives[kind];
      const facts = await skopeo.inspect(archive.ref);
      expect(sha256Digest(await skopeo.inspectConfigRaw(archive.ref))).toBe(archive.imageId);
      const layout = join(scratch.path, `from-${kind}`);
      if (archive.ref.startsWith('oci-archive:')) {
        expect(facts.Digest).toBe(archive.manifestDigest);
        await skopeo.copy(archive.ref, skopeo.ociRef(layout, 'copied'), { preserveDigests: true });
        expect(readLayoutImage(layout, 'copied').descriptor.digest).toBe(archive.manifestDigest);
      } else {
        // skopeo reports a docker-archive's uncompressed layer digests (= diff_ids), and into an
        // OCI layout it converts manifest and config (and compresses), so digests change there
        const config = JSON.parse((await skopeo.inspectConfigRaw(archive.ref)).toString('utf8')) as {
          rootfs: { diff_ids: string[] };
        };
        expect(facts.Layers).toEqual(config.rootfs.diff_ids);
        await skopeo.copy(archive.ref, skopeo.ociRef(layout, 'copied'));
        expect(readLayoutImage(layout, 'copied').config.rootfs.diff_ids).toEqual(config.rootfs.diff_ids);
      }
      const rootfs = await umoci.unpack(layout, 'copied', join(scratch.path, `umoci-${kind}`));
      expect(await walkTree(rootfs)).toEqual(withClientRoot(archive.tree));
    },
  );

  it.each(kinds.map((kind) => [kind]))(
    '%s: layerkit converts it back into a layout, digests kept',
    async (kind) => {
      const archive = built.archives[kind];
      const layout = join(scratch.path, `back-${kind}`);
      const descriptor = await convert(archive.ref, `oci:${layout}:back`);
      expect(descriptor.digest).toBe(archive.manifestDigest);
      const back = readLayoutImage(layout, 'back');
      expect(back.manifest.config.digest).toBe(archive.imageId);
      await expect(validateLayout(layout)).resolves.toMatch(/Validation succeeded/);
      expect((await skopeo.inspect(skopeo.ociRef(layout, 'back'))).Digest).toBe(archive.manifestDigest);
    },
  );
});
