/**
 * W2M and W6M (issue 16): commits and mounts through overlayfs. W2M times `layerkit commit` of a
 * `layerkit mount` (mounted once, untimed, one file changed in the merged view): the commit
 * reads the upperdir only. Its peers are `buildah commit` on buildah's overlay storage
 * (`buildah from` + mount + the same change, untimed) and `umoci repack`. W6M times a second
 * `layerkit mount` of an image whose layers are cached, beside `layerkit unpack` and
 * `umoci unpack` of the same image.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { addedLayerEntries } from './layers.mjs';
import { changeOneFile } from './mutate.mjs';
import { commandLine, copyTree, run } from './shell.mjs';

function fresh(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

/** Unmounts a `layerkit mount` of `rootfs` when it has one (teardown and resets). */
function unmount(lk, rootfs) {
  if (existsSync(join(rootfs, '..', `.${rootfs.split('/').pop()}.layerkit-mount`))) {
    run('bash', ['-c', lk(['umount', rootfs])], { stdio: 'ignore' });
  }
}

/** buildah with its own overlay storage under `dir`. */
function buildahOverlay(dir) {
  return [
    '--root',
    join(dir, 'buildah'),
    '--runroot',
    join(dir, 'buildah-run'),
    '--storage-driver',
    'overlay',
  ];
}

function cleanBuildahOverlay(dir) {
  if (!existsSync(join(dir, 'buildah'))) return;
  run('buildah', [...buildahOverlay(dir), 'rm', '--all'], { stdio: 'ignore' });
  run('buildah', [...buildahOverlay(dir), 'rmi', '--all', '--force'], { stdio: 'ignore' });
}

/**
 * The overlay workloads for `trees` (their base layouts in `images`).
 * @param {{trees: import('./inputs.mjs').Input[], images: Record<string, string>, lk: (args: string[]) => string | undefined, work: string, buildah: boolean}} context
 * @returns {import('./workloads.mjs').Workload[]}
 */
export function defineOverlayWorkloads({ trees, images, lk, work, buildah }) {
  if (lk([]) === undefined) return [];
  return trees.flatMap((input) => [commitThroughOverlay(input), secondMount(input)]);

  function commitThroughOverlay(input) {
    const base = images[input.name];
    const dir = join(work, `w2m-${input.name}`);
    const layout = join(dir, 'layout');
    const rootfs = join(dir, 'lk', 'rootfs');
    const mountArgs = ['--cache', join(dir, 'cache'), `oci:${layout}:base`, rootfs];
    const candidates = [
      {
        name: 'layerkit commit (mounted)',
        role: 'layerkit',
        reset: () => copyTree(base, layout),
        script: lk(['commit', `oci:${layout}:base`, rootfs, `oci:${layout}:new`]),
        check: () => addedLayerEntries(layout, 'new', 'base'),
      },
      {
        name: 'umoci repack',
        role: 'peer',
        reset: () => {
          copyTree(base, layout);
          rmSync(join(dir, 'umoci'), { recursive: true, force: true });
          run('umoci', ['unpack', '--image', `${layout}:base`, join(dir, 'umoci')], { stdio: 'ignore' });
          changeOneFile(join(dir, 'umoci', 'rootfs'));
        },
        script: commandLine(['umoci', 'repack', '--image', `${layout}:new`, join(dir, 'umoci')]),
        check: () => addedLayerEntries(layout, 'new', 'base'),
      },
    ];
    if (buildah && dir === dir.toLowerCase()) {
      candidates.push({
        name: 'buildah commit (overlay)',
        role: 'peer',
        reset: () => {
          copyTree(base, layout);
          cleanBuildahOverlay(dir);
          const storage = buildahOverlay(dir);
          run('buildah', [...storage, 'from', '--quiet', '--name', 'bench', `oci:${layout}:base`], {
            stdio: 'ignore',
          });
          changeOneFile(run('buildah', [...storage, 'mount', 'bench']).trim());
        },
        script: commandLine([
          'buildah',
          ...buildahOverlay(dir),
          'commit',
          '--quiet',
          '--disable-compression=false',
          'bench',
          `oci:${layout}:new`,
        ]),
        check: () => addedLayerEntries(layout, 'new', 'base'),
      });
    }
    return {
      id: 'W2M',
      title: 'commit after a 1-file change through overlayfs (layerkit mount, buildah overlay storage)',
      input: input.name,
      notes: [
        'layerkit mounts once (untimed) and the change is made in the merged view; the commit reads only the upperdir',
        'buildah: `from` + `mount` + the same change on its overlay storage, untimed before each commit',
      ],
      setup: () => {
        fresh(dir);
        copyTree(base, layout);
        mkdirSync(join(dir, 'lk'));
        run('bash', ['-c', lk(['mount', ...mountArgs])], { stdio: 'ignore' });
        changeOneFile(rootfs);
      },
      teardown: () => {
        unmount(lk, rootfs);
        if (buildah) cleanBuildahOverlay(dir);
        rmSync(dir, { recursive: true, force: true });
      },
      candidates,
    };
  }

  function secondMount(input) {
    const base = images[input.name];
    const dir = join(work, `w6m-${input.name}`);
    const rootfs = join(dir, 'm');
    const cache = join(dir, 'cache');
    return {
      id: 'W6M',
      title: 'second mount of an image whose layers are cached',
      input: input.name,
      notes: ['the cache is filled by one untimed mount first; each timed mount starts unmounted'],
      setup: () => {
        fresh(dir);
        run('bash', ['-c', lk(['mount', '--cache', cache, `oci:${base}:base`, rootfs])], { stdio: 'ignore' });
        unmount(lk, rootfs);
      },
      teardown: () => {
        unmount(lk, rootfs);
        rmSync(dir, { recursive: true, force: true });
      },
      candidates: [
        {
          name: 'layerkit mount (cached)',
          role: 'layerkit',
          reset: () => unmount(lk, rootfs),
          script: lk(['mount', '--cache', cache, `oci:${base}:base`, rootfs]),
        },
        {
          name: 'layerkit unpack',
          role: 'peer',
          reset: () => rmSync(join(dir, 'u'), { recursive: true, force: true }),
          script: lk(['unpack', `oci:${base}:base`, join(dir, 'u')]),
        },
        {
          name: 'umoci unpack',
          role: 'peer',
          reset: () => rmSync(join(dir, 'umoci'), { recursive: true, force: true }),
          script: commandLine(['umoci', 'unpack', '--image', `${base}:base`, join(dir, 'umoci')]),
        },
      ],
    };
  }
}
