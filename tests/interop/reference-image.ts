import {
  chmodSync,
  chownSync,
  copyFileSync,
  linkSync,
  mkdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { interopScratchDir } from './clients/scratch.js';
import { copy, dockerArchiveRef, ociArchiveRef, ociRef } from './clients/skopeo.js';
import { requireTool, runTool } from './clients/tools.js';
import { type TreeFact, walkTree } from './clients/tree.js';
import * as umoci from './clients/umoci.js';

/** `cap_net_raw+ep` as stored in `security.capability` (VFS_CAP_REVISION_2). */
const CAP_NET_RAW = '0x0100000200200000000000000000000000000000';

/**
 * A small runnable two-layer image made only by real tools (umoci builds it, skopeo converts
 * it), to prove the harness before it judges layerkit's output.
 */
export interface ReferenceImage {
  /** OCI layout holding tags `base` (one layer) and `v2` (base + a layer with whiteouts). */
  readonly layout: string;
  /** Full name written into the archives. */
  readonly name: string;
  /** `v2` as an oci-archive (`ref.name` = {@link name}). */
  readonly ociArchive: string;
  /** `v2` as a docker-archive (RepoTags = [{@link name}]). */
  readonly dockerArchive: string;
  /** The rootfs trees umoci packed, per tag. */
  readonly trees: { readonly base: readonly TreeFact[]; readonly v2: readonly TreeFact[] };
  /** `/etc/hello.txt` in v2: what `cat` prints in a container. */
  readonly hello: string;
  /** Deletes everything. */
  dispose(): void;
}

async function setXattr(path: string, name: string, value: string): Promise<void> {
  await runTool('setfattr', ['--no-dereference', `--name=${name}`, `--value=${value}`, path]);
}

/** Base rootfs: busybox (sh, cat, ls), owners, modes, setuid, xattrs, a hardlink, a non-UTF-8 name. */
async function populateBase(rootfs: string): Promise<void> {
  for (const dir of ['bin', 'etc', 'root', 'tmp', 'srv/data'])
    mkdirSync(join(rootfs, dir), { recursive: true });
  copyFileSync(requireTool('busybox'), join(rootfs, 'bin/busybox'));
  chmodSync(join(rootfs, 'bin/busybox'), 0o755);
  for (const applet of ['sh', 'cat', 'ls']) symlinkSync('busybox', join(rootfs, 'bin', applet));
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/srv:/bin/sh\n');
  writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\napp:x:1000:\n');
  writeFileSync(join(rootfs, 'etc/hello.txt'), 'hello from base\n');
  linkSync(join(rootfs, 'etc/hello.txt'), join(rootfs, 'etc/hello-link.txt'));
  writeFileSync(Buffer.from(join(rootfs, 'etc/caf\xe9.txt'), 'latin1'), 'latin1 name\n');
  writeFileSync(join(rootfs, 'srv/data/app.conf'), 'setting=1\n', { mode: 0o640 });
  chownSync(join(rootfs, 'srv/data/app.conf'), 1000, 1000);
  chmodSync(join(rootfs, 'srv/data'), 0o750);
  chownSync(join(rootfs, 'srv/data'), 1000, 1000);
  writeFileSync(join(rootfs, 'bin/ping'), '#!/bin/sh\necho ping\n', { mode: 0o4755 });
  chmodSync(join(rootfs, 'bin/ping'), 0o4755);
  await setXattr(join(rootfs, 'bin/ping'), 'security.capability', CAP_NET_RAW);
  await setXattr(join(rootfs, 'srv/data/app.conf'), 'user.origin', 'layerkit-interop');
}

/** v2 on top of base: a changed file, a removed file and directory (whiteouts), a new file, a chmod. */
function modifyForV2(rootfs: string, hello: string): void {
  rmSync(join(rootfs, 'etc/hello.txt'));
  writeFileSync(join(rootfs, 'etc/hello.txt'), hello);
  rmSync(join(rootfs, 'bin/ls'));
  rmSync(join(rootfs, 'srv/data'), { recursive: true });
  writeFileSync(join(rootfs, 'root/new.txt'), 'new in v2\n');
  chmodSync(join(rootfs, 'etc/passwd'), 0o600);
}

/** Builds the {@link ReferenceImage} in a fresh temp dir (~1 s). */
export async function buildReferenceImage(): Promise<ReferenceImage> {
  const workScratch = interopScratchDir('reference');
  const work = workScratch.path;
  try {
    const layout = join(work, 'layout');
    const name = 'example.com/layerkit/interop:v2';
    const hello = 'hello from v2\n';
    await umoci.init(layout);
    await umoci.newImage(layout, 'base');
    const baseRootfs = await umoci.unpack(layout, 'base', join(work, 'bundle-base'));
    await populateBase(baseRootfs);
    await umoci.repack(layout, 'base', join(work, 'bundle-base'), {
      createdBy: 'layerkit-interop: base rootfs',
    });
    const base = await walkTree(baseRootfs);
    // a fresh bundle: a second repack of the same bundle would need --refresh-bundle
    const v2Rootfs = await umoci.unpack(layout, 'base', join(work, 'bundle-v2'));
    modifyForV2(v2Rootfs, hello);
    await umoci.repack(layout, 'v2', join(work, 'bundle-v2'), {
      createdBy: 'layerkit-interop: edit hello, remove ls and /srv/data',
      author: 'layerkit interop <interop@layerkit.invalid>',
      comment: 'second layer',
    });
    const v2 = await walkTree(v2Rootfs);
    const ociArchive = join(work, 'v2.oci.tar');
    const dockerArchive = join(work, 'v2.docker.tar');
    await copy(ociRef(layout, 'v2'), ociArchiveRef(ociArchive, name));
    await copy(ociRef(layout, 'v2'), dockerArchiveRef(dockerArchive, name));
    return {
      layout,
      name,
      ociArchive,
      dockerArchive,
      trees: { base, v2 },
      hello,
      dispose: () => workScratch.remove(),
    };
  } catch (error) {
    workScratch.remove();
    throw error;
  }
}
