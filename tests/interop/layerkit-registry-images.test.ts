/**
 * Issue 18 against a real registry (distribution 2.8, docker-registry): `layerkit images
 * docker://HOST/REPO` lists every tag the registry lists (skopeo list-tags judges), each with the
 * config digest and manifest digest the registry serves, a multi-platform tag per platform; and
 * `layerkit rmi docker://…` deletes the tag's manifest by digest (every tag naming it goes, as
 * skopeo then lists), refuses a multi-platform tag without `--all`, a missing tag, and a registry
 * with deleting disabled (`storage.delete.enabled: false`, DELETE 405), where the tag stays.
 */
import { join } from 'node:path';
import { listImages } from '@layerkit/image/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Registry, startRegistry } from './clients/registry.js';
import { useInteropScratchDir } from './clients/scratch.js';
import * as skopeo from './clients/skopeo.js';
import { buildCliBundle, buildDemoBase, type CliOptions, cli, cliOk } from './fixtures/registry-cli.js';

const scratch = useInteropScratchDir('layerkit-registry-images');
let registry: Registry;
let undeletable: Registry;
let at: CliOptions;

/** The config and manifest digests the registry serves for REPOSITORY:TAG. */
async function served(repository: string, tag: string) {
  const manifest = await registry.manifest(repository, tag);
  const { config } = JSON.parse(manifest.bytes.toString('utf8')) as { config: { digest: string } };
  return { id: config.digest, digest: manifest.digest };
}

beforeAll(async () => {
  at = { cwd: scratch.path };
  [registry, undeletable] = await Promise.all([
    startRegistry(),
    startRegistry({ deleteEnabled: false }),
    buildCliBundle(),
    buildDemoBase(join(scratch.path, 'base-work'), join(scratch.path, 'images')),
  ]);
  await cliOk(['copy', 'oci:images:nginx', registry.reference('lk/app:v1')], at);
  await cliOk(['tag', registry.reference('lk/app:v1'), registry.reference('lk/app:same')], at);
  await cliOk(['config', '--label', 'version=2', 'oci:images:nginx', registry.reference('lk/app:v2')], at);
  await cliOk(['index', registry.reference('lk/app:multi'), 'oci:images:nginx'], at);
  await cliOk(['copy', 'oci:images:nginx', undeletable.reference('lk/app:v1')], at);
}, 300_000);

afterAll(async () => {
  await Promise.all([registry?.stop(), undeletable?.stop()]);
});

describe('layerkit images docker://HOST/REPO', () => {
  it('one row per tag skopeo lists, with the digests the registry serves', async () => {
    const tags = await skopeo.listTags(registry.reference('lk/app'));
    expect([...tags].sort()).toEqual(['multi', 'same', 'v1', 'v2']);
    const rows = await listImages(registry.reference('lk/app'));
    const repository = `${registry.address}/lk/app`;
    const v1 = await served('lk/app', 'v1');
    const v2 = await served('lk/app', 'v2');
    const byTag = Object.fromEntries(rows.map((row) => [row.tag, row]));
    expect(rows).toHaveLength(4);
    expect(byTag.v1).toMatchObject({ repository, ...v1 });
    expect(byTag.same).toMatchObject({ repository, ...v1 });
    expect(byTag.v2).toMatchObject({ repository, ...v2 });
    expect(byTag.v1?.platform).toBeUndefined();
    // The index's one image: its own manifest, under its platform.
    expect(byTag.multi).toMatchObject({
      repository,
      id: v1.id,
      digest: v1.digest,
      platform: expect.stringMatching(/^linux\//),
    });
  });

  it('the CLI prints the same IDs, filtered by name (`*` stops at `/`, as in Docker)', async () => {
    const { id } = await served('lk/app', 'v2');
    expect(await cliOk(['images', '-q', '--no-trunc', registry.reference('lk/app'), '*/lk/*:v2'], at)).toBe(
      `${id}\n`,
    );
    expect(await cliOk(['images', '-q', registry.reference('lk/app'), '*:v2'], at)).toBe('');
    const table = await cliOk(['images', registry.reference('lk/app')], at);
    expect(table.split('\n')[0]).toMatch(/^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE +PLATFORM$/);
  });

  it('an unknown repository has no images', async () => {
    expect(await listImages(registry.reference('lk/nothing'))).toEqual([]);
  });
});

describe('layerkit rmi docker://HOST/REPO:TAG', () => {
  it('refuses a multi-platform tag without --all, and a missing tag; nothing is deleted', async () => {
    const multi = await cli(['rmi', registry.reference('lk/app:multi')], at);
    expect(multi.status).toBe(1);
    expect(multi.stderr).toContain('--all');
    const missing = await cli(['rmi', registry.reference('lk/app:v9')], at);
    expect(missing.status).toBe(1);
    expect([...(await skopeo.listTags(registry.reference('lk/app')))].sort()).toEqual([
      'multi',
      'same',
      'v1',
      'v2',
    ]);
  });

  it('deletes the manifest by digest: every tag naming it is untagged', async () => {
    const { digest } = await served('lk/app', 'v1');
    expect(await cliOk(['rmi', registry.reference('lk/app:v1')], at)).toBe(
      [
        `Untagged: ${registry.address}/lk/app:v1`,
        `Untagged: ${registry.address}/lk/app:same`,
        `Deleted: ${digest}`,
        '',
      ].join('\n'),
    );
    expect([...(await skopeo.listTags(registry.reference('lk/app')))].sort()).toEqual(['multi', 'v2']);
    await expect(registry.manifest('lk/app', digest)).rejects.toThrow();
  });

  it('--all deletes a multi-platform tag (the index)', async () => {
    const { digest } = await registry.manifest('lk/app', 'multi');
    expect(await cliOk(['rmi', '--all', registry.reference('lk/app:multi')], at)).toBe(
      `Untagged: ${registry.address}/lk/app:multi\nDeleted: ${digest}\n`,
    );
    expect(await skopeo.listTags(registry.reference('lk/app'))).toEqual(['v2']);
  });

  it('a registry that does not allow deleting: exit 1, said clearly, the tag stays', async () => {
    const run = await cli(['rmi', undeletable.reference('lk/app:v1')], at);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('the registry does not allow deleting manifests');
    expect(run.stderr).toContain('nothing was removed');
    expect(await skopeo.listTags(undeletable.reference('lk/app'))).toEqual(['v1']);
  });
});
