/**
 * Proves every client module of the interop harness on an image made only by real tools
 * (umoci + skopeo, see reference-image.ts): each client must accept it, the facts each reads
 * back must agree with the layout's own bytes, and each must reject a corrupted copy where it
 * is able to. Daemons are shared per describe block and always stopped.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Buildah, createBuildah } from './clients/buildah.js';
import { type Containerd, startContainerd } from './clients/containerd.js';
import { sha256Digest } from './clients/digest.js';
import { type Dockerd, startDockerd } from './clients/docker.js';
import { blobPath, type LayoutImage, readLayoutImage } from './clients/layout.js';
import { validateDocument, validateLayout } from './clients/oci-image-tool.js';
import { createPodman, type Podman } from './clients/podman.js';
import { type Registry, startRegistry } from './clients/registry.js';
import { useInteropScratchDir } from './clients/scratch.js';
import * as skopeo from './clients/skopeo.js';
import { ClientError, requireTool } from './clients/tools.js';
import { walkTree } from './clients/tree.js';
import * as umoci from './clients/umoci.js';
import { clientVersions } from './clients/versions.js';
import { buildReferenceImage, type ReferenceImage } from './reference-image.js';

let image: ReferenceImage;
let v2: LayoutImage;
const scratch = useInteropScratchDir('harness');

beforeAll(async () => {
  image = await buildReferenceImage();
  v2 = readLayoutImage(image.layout, 'v2');
});

afterAll(() => {
  image?.dispose();
});

/** A copy of the reference layout whose v2 top layer blob has one byte flipped. */
function corruptedLayout(name: string): string {
  const dir = join(scratch.path, name);
  cpSync(image.layout, dir, { recursive: true });
  const layer = v2.manifest.layers.at(-1);
  if (layer === undefined) throw new Error('reference image has no layers');
  const path = blobPath(dir, layer.digest);
  const bytes = readFileSync(path);
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
  writeFileSync(path, bytes);
  return dir;
}

const historyOf = (layout: LayoutImage) =>
  (layout.config.history ?? []).map(({ created_by, author, comment, empty_layer }) => ({
    created_by,
    author,
    comment,
    empty_layer,
  }));

describe('harness basics', () => {
  it('finds every client and reports its version', async () => {
    const versions = await clientVersions();
    console.log(
      Object.entries(versions)
        .map(([name, version]) => `${name.padEnd(16)} ${version}`)
        .join('\n'),
    );
    expect(Object.keys(versions).sort()).toEqual(
      [
        'buildah',
        'containerd',
        'ctr',
        'docker',
        'docker-registry',
        'dockerd',
        'oci-image-tool',
        'podman',
        'runc',
        'skopeo',
        'umoci',
      ].sort(),
    );
    for (const version of Object.values(versions)) expect(version).toMatch(/\d+\.\d+/);
  });

  it('requireTool fails naming the Debian package when a client is missing', () => {
    const path = process.env.PATH;
    process.env.PATH = scratch.path;
    try {
      expect(() => requireTool('skopeo')).toThrow(/apt-get install -y --no-install-recommends skopeo/);
      expect(() => requireTool('dockerd')).toThrow(/Debian package 'docker\.io'/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('the reference layout is what the trees say: two tags, two layers, history per layer', () => {
    expect(v2.manifest.layers).toHaveLength(2);
    expect(v2.config.rootfs.diff_ids).toHaveLength(2);
    expect(historyOf(v2).map((entry) => entry.created_by)).toEqual([
      'layerkit-interop: base rootfs',
      'layerkit-interop: edit hello, remove ls and /srv/data',
    ]);
    const paths = image.trees.v2.map((fact) => fact.path);
    expect(paths).toContain('/etc/caf\\xe9.txt');
    expect(paths).not.toContain('/bin/ls');
    const ping = image.trees.base.find((fact) => fact.path === '/bin/ping');
    expect(ping).toMatchObject({
      mode: 0o4755,
      xattrs: { 'security.capability': expect.stringMatching(/^01/) },
    });
    // walk order is byte order: "hello-link.txt" ('-' = 0x2d) comes before "hello.txt" ('.' = 0x2e)
    const hardlinks = image.trees.base.filter((fact) => fact.path.startsWith('/etc/hello'));
    expect(hardlinks.map(({ path, hardlinkOf }) => [path, hardlinkOf])).toEqual([
      ['/etc/hello-link.txt', null],
      ['/etc/hello.txt', '/etc/hello-link.txt'],
    ]);
  });
});

describe('skopeo', () => {
  it('inspects the layout: digest and layers equal the layout index and manifest', async () => {
    const facts = await skopeo.inspect(skopeo.ociRef(image.layout, 'v2'));
    expect(facts.Digest).toBe(v2.descriptor.digest);
    expect(facts.Layers).toEqual(v2.manifest.layers.map((layer) => layer.digest));
    const raw = await skopeo.inspectRaw(skopeo.ociRef(image.layout, 'v2'));
    expect(raw.equals(v2.manifestBytes)).toBe(true);
    const config = await skopeo.inspectConfigRaw(skopeo.ociRef(image.layout, 'v2'));
    expect(sha256Digest(config)).toBe(v2.manifest.config.digest);
  });

  it('reads both archives: same manifest in the oci-archive, diff_ids as docker-archive layers', async () => {
    const oci = await skopeo.inspect(skopeo.ociArchiveRef(image.ociArchive));
    expect(oci.Digest).toBe(v2.descriptor.digest);
    const docker = await skopeo.inspect(skopeo.dockerArchiveRef(image.dockerArchive));
    expect(docker.Layers).toEqual(v2.config.rootfs.diff_ids);
  });

  it('copies with digests preserved and re-reads an oci-archive back into a layout', async () => {
    const copyDir = join(scratch.path, 'skopeo-copy');
    await skopeo.copy(skopeo.ociRef(image.layout, 'v2'), skopeo.ociRef(copyDir, 'v2'), {
      preserveDigests: true,
    });
    expect(readLayoutImage(copyDir, 'v2').descriptor.digest).toBe(v2.descriptor.digest);
    const fromArchive = join(scratch.path, 'skopeo-from-archive');
    await skopeo.copy(skopeo.ociArchiveRef(image.ociArchive), skopeo.ociRef(fromArchive, 'back'));
    expect(readLayoutImage(fromArchive, 'back').descriptor.digest).toBe(v2.descriptor.digest);
  });

  it('rejects a layer blob that does not match its digest, with its stderr', async () => {
    const bad = corruptedLayout('skopeo-bad');
    const copying = skopeo.copy(skopeo.ociRef(bad, 'v2'), `dir:${join(scratch.path, 'skopeo-bad-out')}`);
    await expect(copying).rejects.toThrow(ClientError);
    await expect(copying).rejects.toThrow(/digest/i);
  });
});

describe('umoci', () => {
  it('lists the tags and reports one history row per layer', async () => {
    expect((await umoci.ls(image.layout)).sort()).toEqual(['base', 'v2']);
    const stat = await umoci.stat(image.layout, 'v2');
    expect(stat.history.map((row) => row.diff_id)).toEqual(v2.config.rootfs.diff_ids);
    expect(stat.history.map((row) => row.layer?.digest)).toEqual(
      v2.manifest.layers.map((layer) => layer.digest),
    );
    expect(stat.history[1]).toMatchObject({
      author: 'layerkit interop <interop@layerkit.invalid>',
      comment: 'second layer',
    });
  });

  it('unpacks (as root) exactly the trees that were packed, whiteouts applied', async () => {
    const base = await umoci.unpack(image.layout, 'base', join(scratch.path, 'umoci-base'));
    expect(await walkTree(base)).toEqual(image.trees.base);
    const top = await umoci.unpack(image.layout, 'v2', join(scratch.path, 'umoci-v2'));
    expect(await walkTree(top)).toEqual(image.trees.v2);
  });

  it('unpacks --rootless the same tree', async () => {
    const rootfs = await umoci.unpack(image.layout, 'v2', join(scratch.path, 'umoci-rootless'), {
      rootless: true,
    });
    expect(await walkTree(rootfs)).toEqual(image.trees.v2);
  });

  it('rejects a corrupted layer, with its stderr', async () => {
    const bad = corruptedLayout('umoci-bad');
    await expect(umoci.unpack(bad, 'v2', join(scratch.path, 'umoci-bad-bundle'))).rejects.toThrow(
      ClientError,
    );
  });
});

describe('oci-image-tool', () => {
  it('validates the layout, each tag, and each JSON document', async () => {
    await expect(validateLayout(image.layout)).resolves.toMatch(/Validation succeeded/);
    await expect(validateLayout(image.layout, 'v2')).resolves.toMatch(/Validation succeeded/);
    await validateDocument('imageIndex', join(image.layout, 'index.json'));
    await validateDocument('manifest', blobPath(image.layout, v2.descriptor.digest));
    await validateDocument('config', blobPath(image.layout, v2.manifest.config.digest));
  });

  it('rejects a layout with a missing blob, with its stderr', async () => {
    const missing = join(scratch.path, 'oit-missing');
    cpSync(image.layout, missing, { recursive: true });
    rmSync(blobPath(missing, v2.manifest.config.digest));
    await expect(validateLayout(missing)).rejects.toThrow(/no such file/);
  });
});

describe('buildah', () => {
  let buildah: Buildah;
  beforeAll(() => {
    buildah = createBuildah();
  });
  afterAll(() => buildah?.dispose());

  it('builds from the layout: same manifest, diff_ids and history; runs cat', async () => {
    const container = await buildah.from(image.layout, 'v2');
    const facts = await buildah.inspect(container);
    expect(facts.FromImageDigest).toBe(v2.descriptor.digest);
    expect(facts.OCIv1.rootfs.diff_ids).toEqual(v2.config.rootfs.diff_ids);
    expect(facts.OCIv1.history).toEqual(v2.config.history);
    expect(await buildah.run(container, ['cat', '/etc/hello.txt'])).toBe(image.hello);
  });

  it('commits on top of it, keeping the source layers', async () => {
    const container = await buildah.from(image.layout, 'v2');
    const out = join(scratch.path, 'buildah-commit');
    await buildah.commit(container, skopeo.ociRef(out, 'next'));
    const committed = readLayoutImage(out, 'next');
    expect(committed.config.rootfs.diff_ids.slice(0, 2)).toEqual(v2.config.rootfs.diff_ids);
    expect(historyOf(committed).slice(0, 2)).toEqual(historyOf(v2));
  });
});

describe('registry', () => {
  let registry: Registry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(() => registry?.stop());

  // first: once the registry holds a blob, skopeo (via its blob-info cache) mounts it into
  // other repositories without re-reading the local copy, so corruption would go unnoticed
  it('rejects a push of a corrupted layer it has not seen before', async () => {
    const bad = corruptedLayout('registry-bad');
    await expect(registry.push(skopeo.ociRef(bad, 'v2'), 'layerkit/bad:v2')).rejects.toThrow(ClientError);
  });

  it('push keeps the manifest digest and serves every blob intact', async () => {
    await registry.push(skopeo.ociRef(image.layout, 'v2'), 'layerkit/interop:v2');
    const served = await registry.manifest('layerkit/interop', 'v2');
    expect(served.digest).toBe(v2.descriptor.digest);
    expect(served.headerDigest).toBe(v2.descriptor.digest);
    expect(served.bytes.equals(v2.manifestBytes)).toBe(true);
    for (const descriptor of [v2.manifest.config, ...v2.manifest.layers]) {
      const blob = await registry.blob('layerkit/interop', descriptor.digest);
      expect([sha256Digest(blob), blob.length]).toEqual([descriptor.digest, descriptor.size]);
    }
    const remote = await skopeo.inspect(registry.reference('layerkit/interop:v2'));
    expect(remote.Digest).toBe(v2.descriptor.digest);
  });

  it('pull brings back the same manifest bytes, and the log has no errors', async () => {
    const pulled = join(scratch.path, 'registry-pulled');
    await registry.pull('layerkit/interop:v2', skopeo.ociRef(pulled, 'v2'));
    expect(readLayoutImage(pulled, 'v2').manifestBytes.equals(v2.manifestBytes)).toBe(true);
    expect(registry.errors()).toEqual([]);
  });
});

describe('podman', () => {
  let podman: Podman;
  beforeAll(() => {
    podman = createPodman();
  });
  afterAll(() => podman?.dispose());

  for (const kind of ['ociArchive', 'dockerArchive'] as const) {
    it(`loads the ${kind}: layers, config id and history match; runs cat`, async () => {
      expect(await podman.load(image[kind])).toEqual([image.name]);
      const facts = await podman.inspect(image.name);
      expect(`sha256:${facts.Id}`).toBe(v2.manifest.config.digest);
      expect(facts.RootFS.Layers).toEqual(v2.config.rootfs.diff_ids);
      const rows = await podman.history(image.name);
      expect(rows.map((row) => row.CreatedBy)).toEqual(
        historyOf(v2)
          .map((entry) => entry.created_by)
          .reverse(),
      );
      expect(await podman.run(image.name, ['cat', '/etc/hello.txt'])).toBe(image.hello);
    });
  }
});

describe('containerd', () => {
  let containerd: Containerd;
  beforeAll(async () => {
    containerd = await startContainerd();
  });
  afterAll(() => containerd?.stop());

  for (const kind of ['ociArchive', 'dockerArchive'] as const) {
    it(`imports the ${kind} complete and unpacked; runs cat`, async () => {
      const imported = await containerd.import(image[kind]);
      expect(imported.map((entry) => entry.ref)).toEqual([image.name]);
      if (kind === 'ociArchive') expect(imported[0]?.digest).toBe(v2.descriptor.digest);
      const [check] = (await containerd.check()).filter((row) => row.ref === image.name);
      expect(check).toMatchObject({ complete: true, unpacked: true });
      expect(await containerd.run(image.name, ['cat', '/etc/hello.txt'])).toBe(image.hello);
    });
  }
});

describe('dockerd', () => {
  let docker: Dockerd;
  beforeAll(async () => {
    docker = await startDockerd();
  });
  afterAll(() => docker?.stop());

  it('loads the docker-archive: image id, layers and history match; runs cat', async () => {
    expect(await docker.load(image.dockerArchive)).toBe(image.name);
    const facts = await docker.inspect(image.name);
    expect(facts.Id).toBe(v2.manifest.config.digest);
    expect(facts.RootFS.Layers).toEqual(v2.config.rootfs.diff_ids);
    expect(facts.Author).toBe(v2.config.author ?? '');
    const rows = await docker.history(image.name);
    expect(rows.map((row) => row.CreatedBy)).toEqual(
      historyOf(v2)
        .map((entry) => entry.created_by)
        .reverse(),
    );
    expect(rows[0]?.ID).toBe(v2.manifest.config.digest);
    expect(await docker.historyText(image.name)).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT\n/);
    expect(await docker.run(image.name, ['cat', '/etc/hello.txt'])).toBe(image.hello);
  });

  it('saves it back with the same config and diff_ids', async () => {
    const saved = join(scratch.path, 'docker-saved.tar');
    await docker.save(image.name, saved);
    const facts = await skopeo.inspect(skopeo.dockerArchiveRef(saved));
    expect(facts.Layers).toEqual(v2.config.rootfs.diff_ids);
    const config = await skopeo.inspectConfigRaw(skopeo.dockerArchiveRef(saved));
    expect(sha256Digest(config)).toBe(v2.manifest.config.digest);
  });

  it('refuses a pure oci-archive (OCI load arrived in Docker 25; this engine is 20.10)', async () => {
    await expect(docker.load(image.ociArchive)).rejects.toThrow(ClientError);
  });
});
