/**
 * The seed scenario against a plain-HTTP registry, through the built CLI, exactly as the issue
 * tells it: the demo's base image is pushed with `layerkit copy oci:… docker://…/nginx`, then
 * `unpack`, an edit of index.html, `diff`, `commit --author --message … docker://…/nginx:v2`,
 * `history` and `verify` — every image named `docker://`. The registry's access log proves what
 * went over the wire: the commit sent one layer and the config and nothing of the base (found
 * with HEAD in the same repository), and read no layer blob (the unpack snapshot makes the
 * commit a stat walk). Then the pushed image is pulled into an empty layout and into both
 * archive formats and compared with what the registry serves.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayoutImage } from './clients/layout.js';
import { readLayoutImage } from './clients/layout.js';
import {
  type Registry,
  type RegistryManifest,
  type RegistryRequest,
  startRegistry,
} from './clients/registry.js';
import { useInteropScratchDir } from './clients/scratch.js';
import * as skopeo from './clients/skopeo.js';
import * as umoci from './clients/umoci.js';
import { HELLO_DOCKER } from './fixtures/busybox-rootfs.js';
import { SEED_AUTHOR, SEED_MESSAGE } from './fixtures/layerkit-images.js';
import {
  blobDownloads,
  blobUploads,
  buildCliBundle,
  buildDemoBase,
  type CliOptions,
  cliOk,
  requestsDuring,
  uploadedDigests,
} from './fixtures/registry-cli.js';

const PAGE = 'usr/share/nginx/html/index.html';
/** `layerkit diff` after the edit, as README's transcript shows it. */
const FIVE_CHANGES = [
  'C /usr',
  'C /usr/share',
  'C /usr/share/nginx',
  'C /usr/share/nginx/html',
  'C /usr/share/nginx/html/index.html',
];

interface ManifestJson {
  readonly config: { readonly digest: string; readonly size: number };
  readonly layers: readonly { readonly digest: string; readonly size: number }[];
}

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const parse = (served: RegistryManifest) => JSON.parse(served.bytes.toString('utf8')) as ManifestJson;

const scratch = useInteropScratchDir('layerkit-registry-seed');
let registry: Registry;
let base: LayoutImage;
let at: CliOptions;
let ref: (repositoryAndTag: string) => string;

beforeAll(async () => {
  at = { cwd: scratch.path };
  const [started] = await Promise.all([
    startRegistry(),
    buildCliBundle(),
    (async () => {
      base = await buildDemoBase(join(scratch.path, 'base-work'), join(scratch.path, 'images'));
    })(),
  ]);
  registry = started;
  ref = (repositoryAndTag) => registry.reference(repositoryAndTag);
});

afterAll(async () => {
  await registry?.stop();
});

describe('the seed scenario on docker://127.0.0.1:PORT/nginx, through the CLI', () => {
  let pushed: string;
  let unpackRequests: RegistryRequest[];
  let commitRequests: RegistryRequest[];
  let imageId: string;

  it('layerkit copy oci:images:nginx docker://…/nginx pushes the demo base byte for byte', async () => {
    pushed = (await cliOk(['copy', 'oci:images:nginx', ref('nginx')], at)).trim();
    expect(pushed).toBe(base.descriptor.digest);
    const served = await registry.manifest('nginx', 'latest');
    expect(served.digest).toBe(base.descriptor.digest);
    expect(served.headerDigest).toBe(base.descriptor.digest);
    expect(served.bytes.equals(base.manifestBytes)).toBe(true);
    expect((await registry.blob('nginx', base.manifest.config.digest)).equals(base.configBytes)).toBe(true);
  });

  it('layerkit unpack docker://…/nginx ./ws reads every layer from the registry once', async () => {
    const during = await requestsDuring(registry, () => cliOk(['unpack', ref('nginx'), './ws'], at));
    unpackRequests = during.requests;
    expect(during.result).toBe('');
    expect(blobDownloads(unpackRequests, 'nginx').sort()).toEqual(
      [base.manifest.config.digest, ...base.manifest.layers.map((layer) => layer.digest)].sort(),
    );
    expect(blobUploads(unpackRequests)).toEqual([]);
  });

  it('layerkit diff docker://…/nginx ./ws prints the five C lines after the edit', async () => {
    writeFileSync(join(scratch.path, 'ws', PAGE), HELLO_DOCKER);
    expect(HELLO_DOCKER).toBe('<h1>Hello, Docker!</h1>\n');
    const diff = await cliOk(['diff', ref('nginx'), './ws'], at);
    expect(diff).toBe(`${FIVE_CHANGES.join('\n')}\n`);
  });

  it('layerkit commit --author --message 修改了默认网页 … docker://…/nginx:v2 prints the image ID', async () => {
    const during = await requestsDuring(registry, () =>
      cliOk(
        ['commit', '--author', SEED_AUTHOR, '--message', SEED_MESSAGE, ref('nginx'), './ws', ref('nginx:v2')],
        at,
      ),
    );
    commitRequests = during.requests;
    expect(during.result).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    imageId = during.result.trim();
    const v2 = parse(await registry.manifest('nginx', 'v2'));
    expect(v2.config.digest).toBe(imageId);
    expect(v2.layers.slice(0, -1)).toEqual(base.manifest.layers);
    const config = JSON.parse((await registry.blob('nginx', imageId)).toString('utf8')) as {
      author?: string;
      history: { author?: string; comment?: string; empty_layer?: boolean }[];
    };
    expect(config.author).toBe(SEED_AUTHOR);
    expect(config.history.at(-1)).toMatchObject({ author: SEED_AUTHOR, comment: SEED_MESSAGE });
    expect(registry.errors()).toEqual([]);
  });

  it('the commit uploaded exactly the new layer and the config; the base layers were found with HEAD', async () => {
    const v2 = parse(await registry.manifest('nginx', 'v2'));
    const newLayer = v2.layers.at(-1)?.digest;
    expect(uploadedDigests(commitRequests).sort()).toEqual([newLayer, imageId].sort());
    // every byte sent went to one of those two sessions: a PATCH would be a chunk of a large blob
    expect(blobUploads(commitRequests).filter((request) => request.method === 'PATCH')).toEqual([]);
    for (const layer of base.manifest.layers) {
      expect(commitRequests).toContainEqual({
        method: 'HEAD',
        path: `/v2/nginx/blobs/${layer.digest}`,
        query: {},
        status: 200,
      });
      expect(uploadedDigests(commitRequests)).not.toContain(layer.digest);
    }
    expect(commitRequests.filter((request) => request.path.includes('mount'))).toEqual([]);
    expect(commitRequests).toContainEqual({
      method: 'PUT',
      path: '/v2/nginx/manifests/v2',
      query: {},
      status: 201,
    });
    // the tag moved last
    expect(commitRequests.at(-1)).toEqual({
      method: 'PUT',
      path: '/v2/nginx/manifests/v2',
      query: {},
      status: 201,
    });
  });

  it('the commit read no layer blob: an unpacked image is committed by a stat walk', () => {
    const downloads = blobDownloads(commitRequests, 'nginx');
    for (const layer of base.manifest.layers) expect(downloads).not.toContain(layer.digest);
    // the base's config, and nothing else, came from the blob API
    expect(downloads).toEqual([base.manifest.config.digest]);
  });

  it('layerkit history docker://…/nginx:v2 shows the new row on top', async () => {
    const history = await cliOk(['history', ref('nginx:v2')], at);
    const [header, top, ...rest] = history.split('\n');
    expect(header).toMatch(/^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$/);
    expect(top).toMatch(
      new RegExp(`^${imageId.slice(7, 19)}   .+ ago +nginx -g daemon off; +24B +${SEED_MESSAGE}$`),
    );
    expect(rest.filter((line) => line !== '')).toHaveLength(4);
    expect(rest.filter((line) => line.startsWith('<missing>'))).toHaveLength(4);
  });

  it('layerkit verify docker://…/nginx:v2 checks every layer and DiffID', async () => {
    const v2 = parse(await registry.manifest('nginx', 'v2'));
    const report = await cliOk(['verify', ref('nginx:v2')], at);
    expect(report.split('\n').filter((line) => line !== '')).toEqual([
      ...v2.layers.map((layer) => `ok  layer ${layer.digest}`),
      `ok  ${(await registry.manifest('nginx', 'v2')).digest}`,
    ]);
  });

  it('the registry serves v2 with the printed ID as its config; skopeo reads it', async () => {
    const served = await registry.manifest('nginx', 'v2');
    expect(served.headerDigest).toBe(served.digest);
    expect(parse(served).config.digest).toBe(imageId);
    expect(sha256(await registry.blob('nginx', imageId))).toBe(imageId);
    const facts = await skopeo.inspect(ref('nginx:v2'));
    expect(facts.Digest).toBe(served.digest);
    expect(facts.Layers).toEqual(parse(served).layers.map((layer) => layer.digest));
  });
});

describe('pulling what was pushed', () => {
  it('layerkit copy docker://…/nginx:v2 oci:DIR:v2 into an empty layout: the same manifest; umoci unpacks the new page', async () => {
    const served = await registry.manifest('nginx', 'v2');
    const printed = (await cliOk(['copy', ref('nginx:v2'), 'oci:pulled:v2'], at)).trim();
    expect(printed).toBe(served.digest);
    const pulled = readLayoutImage(join(scratch.path, 'pulled'), 'v2');
    expect(pulled.descriptor.digest).toBe(served.digest);
    expect(pulled.manifestBytes.equals(served.bytes)).toBe(true);
    expect(await cliOk(['verify', 'oci:pulled:v2'], at)).toContain(`ok  ${served.digest}`);
    // skopeo is kept away from pulls here: its blob-info cache (shared by every run) would remember
    // this registry's port; umoci judges the layout layerkit pulled
    const rootfs = await umoci.unpack(join(scratch.path, 'pulled'), 'v2', join(scratch.path, 'umoci-v2'));
    expect(readFileSync(join(rootfs, PAGE), 'utf8')).toBe(HELLO_DOCKER);
  });

  it('layerkit copy docker://… oci-archive:FILE keeps the manifest digest (skopeo agrees)', async () => {
    const served = await registry.manifest('nginx', 'v2');
    const archive = join(scratch.path, 'nginx-v2.oci.tar');
    const printed = (await cliOk(['copy', ref('nginx:v2'), `oci-archive:${archive}:nginx:v2`], at)).trim();
    expect(printed).toBe(served.digest);
    const facts = await skopeo.inspect(skopeo.ociArchiveRef(archive, 'nginx:v2'));
    expect(facts.Digest).toBe(served.digest);
    expect(facts.Layers).toEqual(parse(served).layers.map((layer) => layer.digest));
    await cliOk(['verify', `oci-archive:${archive}:nginx:v2`], at);
  });

  it('layerkit copy docker://… docker-archive:FILE:NAME keeps config and diff_ids (skopeo agrees)', async () => {
    const served = await registry.manifest('nginx', 'v2');
    const imageId = parse(served).config.digest;
    const archive = join(scratch.path, 'nginx-v2.docker.tar');
    await cliOk(['copy', ref('nginx:v2'), `docker-archive:${archive}:nginx:v2`], at);
    const config = JSON.parse((await registry.blob('nginx', imageId)).toString('utf8')) as {
      rootfs: { diff_ids: string[] };
    };
    const facts = await skopeo.inspect(skopeo.dockerArchiveRef(archive));
    expect(facts.Layers).toEqual(config.rootfs.diff_ids);
    const configRaw = await skopeo.inspectConfigRaw(skopeo.dockerArchiveRef(archive));
    expect(sha256(configRaw)).toBe(imageId);
    await cliOk(['verify', `docker-archive:${archive}`], at);
  });
});

describe('a tag that moved after the unpack', () => {
  it('diff and commit read the image the tag names now, not the unpack snapshot of the old one', async () => {
    await cliOk(['copy', ref('nginx:latest'), ref('moving:v1')], at);
    await cliOk(['unpack', ref('moving:v1'), './ws-moving'], at);
    // the tag now names v2, whose index.html is the new page; the rootfs still has the old one
    await cliOk(['copy', ref('nginx:v2'), ref('moving:v1')], at);
    const v2 = parse(await registry.manifest('nginx', 'v2'));
    const diff = await requestsDuring(registry, () => cliOk(['diff', ref('moving:v1'), './ws-moving'], at));
    expect(diff.result).toBe(`${FIVE_CHANGES.join('\n')}\n`);
    // the lower tree came from v2's layers (a snapshot of the old image would have said "no change")
    expect(blobDownloads(diff.requests, 'moving').sort()).toEqual(
      [v2.config.digest, ...v2.layers.map((layer) => layer.digest)].sort(),
    );
    const { result } = await requestsDuring(registry, () =>
      cliOk(
        [
          'commit',
          '--message',
          'back to the welcome page',
          ref('moving:v1'),
          './ws-moving',
          ref('moving:v2'),
        ],
        at,
      ),
    );
    const committed = parse(await registry.manifest('moving', 'v2'));
    expect(committed.config.digest).toBe(result.trim());
    expect(committed.layers.slice(0, -1)).toEqual(v2.layers);
    await cliOk(['unpack', ref('moving:v2'), './ws-moving-v2'], at);
    expect(readFileSync(join(scratch.path, 'ws-moving-v2', PAGE), 'utf8')).toBe(
      readFileSync(join(scratch.path, 'ws-moving', PAGE), 'utf8'),
    );
  });
});
