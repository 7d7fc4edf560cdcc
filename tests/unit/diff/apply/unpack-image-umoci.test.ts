/**
 * Cross-check with umoci: images built by umoci (init / new / unpack / repack, two layers with
 * deletions, type changes and hardlinks) are unpacked by `umoci unpack` (privileged and
 * `--rootless`) and by `unpackImageLayers`; the rootfs trees must agree on every entry (path,
 * type, mode, uid, gid, size, sha256, link target, hardlink grouping, user xattrs).
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  linkSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { unpackImageLayers } from '@layerkit/diff/node';
import type { Digest } from '@layerkit/digest';
import { expect, test } from 'vitest';
import { chunks } from '../../../fixtures/raw-tar.js';
import { useScratchDir } from '../../../fixtures/scratch.js';
import { blobPath, readLayoutImage } from '../../../interop/clients/layout.js';
import { type TreeFact, walkTree } from '../../../interop/clients/tree.js';
import * as umoci from '../../../interop/clients/umoci.js';

const scratch = useScratchDir('apply-umoci');

/** The first layer's content: every kind of entry umoci writes. */
function populateBase(rootfs: string): void {
  mkdirSync(join(rootfs, 'etc/app'), { recursive: true });
  writeFileSync(join(rootfs, 'etc/app/config'), 'key=value\n');
  writeFileSync(join(rootfs, 'etc/app/secret'), 'hidden\n', { mode: 0o600 });
  writeFileSync(join(rootfs, 'etc/empty'), '');
  mkdirSync(join(rootfs, 'bin'));
  writeFileSync(join(rootfs, 'bin/tool'), '#!/bin/sh\necho tool\n');
  chmodSync(join(rootfs, 'bin/tool'), 0o4755);
  linkSync(join(rootfs, 'bin/tool'), join(rootfs, 'bin/tool-alias'));
  symlinkSync('tool', join(rootfs, 'bin/relative'));
  symlinkSync('/etc/app/config', join(rootfs, 'bin/absolute'));
  symlinkSync('/nowhere', join(rootfs, 'bin/dangling'));
  mkdirSync(join(rootfs, 'private'), { mode: 0o700 });
  writeFileSync(Buffer.from(join(rootfs, 'private/caf\xe9'), 'latin1'), 'latin1 name\n');
  writeFileSync(join(rootfs, 'private/'.concat('n'.repeat(200))), 'long name\n');
  writeFileSync(join(rootfs, 'etc/app/tagged'), 'x');
  execFileSync('setfattr', ['-n', 'user.origin', '-v', 'umoci-crosscheck', join(rootfs, 'etc/app/tagged')]);
  mkdirSync(join(rootfs, 'var/lib/data'), { recursive: true });
  writeFileSync(join(rootfs, 'var/lib/data/big'), Buffer.alloc(300_000, 7));
  writeFileSync(join(rootfs, 'etc/app/owned'), 'owned\n');
  chownSync(join(rootfs, 'etc/app/owned'), 1000, 1001);
}

/** The second layer: deletions, a directory replaced by a symlink, a new hardlink to a lower file. */
function modify(rootfs: string): void {
  unlinkSync(join(rootfs, 'etc/app/secret'));
  rmSync(join(rootfs, 'var/lib/data'), { recursive: true });
  symlinkSync('/etc', join(rootfs, 'var/lib/data'));
  linkSync(join(rootfs, 'etc/app/config'), join(rootfs, 'etc/config-link'));
  writeFileSync(join(rootfs, 'bin/relative-now-a-file'), 'new\n');
  rmSync(join(rootfs, 'private'), { recursive: true });
  mkdirSync(join(rootfs, 'private'), { mode: 0o750 });
  writeFileSync(join(rootfs, 'private/fresh'), 'fresh\n');
}

/**
 * Rootless umoci cannot chown: it leaves files to the unpacking user and records the owner in
 * a `user.rootlesscontainers` xattr instead, so ownership is compared with the privileged unpack.
 */
function withoutOwners(facts: TreeFact[]): TreeFact[] {
  return facts.map(({ uid: _uid, gid: _gid, ...fact }) => ({
    ...fact,
    uid: 0,
    gid: 0,
    xattrs: Object.fromEntries(
      Object.entries(fact.xattrs).filter(([name]) => name !== 'user.rootlesscontainers'),
    ),
  }));
}

test('unpackImageLayers gives the same rootfs as umoci unpack (privileged and --rootless)', async () => {
  const layout = join(scratch.path, 'layout');
  const bundle = join(scratch.path, 'build');
  await umoci.init(layout);
  await umoci.newImage(layout, 'base');
  const buildRootfs = await umoci.unpack(layout, 'base', bundle);
  populateBase(buildRootfs);
  await umoci.repack(layout, 'v1', bundle);
  modify(buildRootfs);
  await umoci.repack(layout, 'v2', bundle);

  for (const tag of ['v1', 'v2']) {
    const image = readLayoutImage(layout, tag);
    const privileged = await umoci.unpack(layout, tag, join(scratch.path, `umoci-${tag}`));
    const rootless = await umoci.unpack(layout, tag, join(scratch.path, `umoci-rootless-${tag}`), {
      rootless: true,
    });
    const layers = image.manifest.layers.map((layer, index) => ({
      open: () => chunks(readFileSync(blobPath(layout, layer.digest)), 64 * 1024),
      diffID: image.config.rootfs.diff_ids[index] as Digest,
    }));
    const ours = await unpackImageLayers(join(scratch.path, `layerkit-${tag}`), layers);
    expect(ours.reports.map((r) => r.diffID)).toEqual(image.config.rootfs.diff_ids);
    // The rootfs directory itself too: the layers' `./` (umoci writes one) or 0755, not 0700.
    const facts = await walkTree(ours.rootfs);
    expect(await walkTree(privileged)).toEqual(facts);
    expect(withoutOwners(await walkTree(rootless))).toEqual(withoutOwners(facts));
    expect(facts.find((fact) => fact.path === '/bin/tool-alias')).toMatchObject({
      mode: 0o4755,
      hardlinkOf: '/bin/tool',
    });
    expect(facts.find((fact) => fact.path === '/etc/app/tagged')?.xattrs).toEqual({
      'user.origin': Buffer.from('umoci-crosscheck').toString('hex'),
    });
  }
}, 120_000);
