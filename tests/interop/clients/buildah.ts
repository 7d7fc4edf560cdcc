import { symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type PushImage, pushArgs, type RegistryAccess, registryFlags } from './podman.js';
import { interopScratchDir } from './scratch.js';
import { runTool } from './tools.js';

/** A config history entry as buildah reports it. */
export interface BuildahHistoryEntry {
  readonly created?: string;
  readonly created_by?: string;
  readonly author?: string;
  readonly comment?: string;
  readonly empty_layer?: boolean;
}

/** `buildah inspect` output (fields this harness reads; buildah prints more). */
export interface BuildahInspect {
  readonly Type: string;
  readonly FromImageID: string;
  /** Digest of the source manifest. */
  readonly FromImageDigest: string;
  readonly OCIv1: {
    readonly history?: readonly BuildahHistoryEntry[];
    readonly rootfs: { readonly type: string; readonly diff_ids: readonly string[] };
  };
}

/** A private buildah store (vfs storage, chroot isolation) in its own temp dir. */
export interface Buildah {
  /**
   * `buildah from oci:DIR:TAG`: pulls the layout's image into the store (verifying blobs and
   * applying layers) and creates a working container. Returns the container name.
   */
  from(layoutDir: string, tag: string): Promise<string>;
  /**
   * `buildah from docker://HOST:PORT/REPO:TAG`: pulls from a registry (verifying every blob) and
   * creates a working container. Returns the container name.
   */
  fromRegistry(ref: string, access?: RegistryAccess): Promise<string>;
  /** `buildah from IMAGE` of an image already in the store (e.g. one {@link commit} named). */
  fromStored(image: string): Promise<string>;
  /** `buildah copy CONTAINER SOURCE DESTINATION`: a host file into the container's rootfs. */
  copy(container: string, source: string, destination: string): Promise<void>;
  /**
   * `buildah push [--format FORMAT] [--compression-format C] IMAGE DESTINATION`
   * (`docker://HOST:PORT/REPO:TAG`, `oci:DIR:TAG`): buildah compresses its stored layers afresh.
   * `format`: `oci` or `v2s2` (Docker schema 2); `compression`: `gzip` (default) or `zstd`.
   */
  push: PushImage;
  /** `buildah inspect --type container|image NAME`, parsed. */
  inspect(name: string, type?: 'container' | 'image'): Promise<BuildahInspect>;
  /** `buildah run CONTAINER -- COMMAND…` (chroot isolation); returns its stdout. */
  run(container: string, command: readonly string[]): Promise<string>;
  /**
   * `buildah commit CONTAINER DEST` (a skopeo-style transport reference). buildah re-derives
   * diff_ids and checks that non-empty history entries match the layers.
   */
  commit(container: string, destination: string, format?: 'oci' | 'docker'): Promise<void>;
  /** Deletes the store with every container and image in it. */
  dispose(): Promise<void>;
}

/** Creates a throw-away buildah store; call {@link Buildah.dispose} when done. */
export function createBuildah(): Buildah {
  const homeScratch = interopScratchDir('buildah');
  const home = homeScratch.path;
  const global = ['--root', join(home, 'root'), '--runroot', join(home, 'run'), '--storage-driver', 'vfs'];
  const env = { BUILDAH_ISOLATION: 'chroot', TMPDIR: home };
  const buildah = (args: readonly string[]) => runTool('buildah', [...global, ...args], { cwd: home, env });
  let aliases = 0;
  return {
    async from(layoutDir, tag) {
      // buildah names the image after the path ("localhost/<path>"), which must be lowercase:
      // reach the layout through a lowercase relative alias in the store's own directory
      const alias = `layout-${aliases++}`;
      symlinkSync(resolve(layoutDir), join(home, alias));
      const { stdout } = await buildah(['from', '--quiet', '--pull-always', `oci:${alias}:${tag}`]);
      return stdout.trim();
    },
    async fromRegistry(ref, access) {
      const source = ref.startsWith('docker://') ? ref : `docker://${ref}`;
      const { stdout } = await buildah([
        'from',
        '--quiet',
        '--pull-always',
        ...registryFlags(access),
        source,
      ]);
      return stdout.trim();
    },
    async fromStored(image) {
      const { stdout } = await buildah(['from', '--quiet', '--pull=never', image]);
      return stdout.trim();
    },
    async copy(container, source, destination) {
      await buildah(['copy', '--quiet', container, resolve(source), destination]);
    },
    async push(image, destination, access, format, compression) {
      await buildah(pushArgs(image, destination, access, format, compression));
    },
    async inspect(name, type = 'container') {
      const { stdout } = await buildah(['inspect', '--type', type, name]);
      return JSON.parse(stdout) as BuildahInspect;
    },
    async run(container, command) {
      return (await buildah(['run', '--isolation', 'chroot', container, '--', ...command])).stdout;
    },
    async commit(container, destination, format = 'oci') {
      await buildah(['commit', '--quiet', '--format', format, container, destination]);
    },
    async dispose() {
      // vfs layers are plain directories and chroot isolation leaves no process behind:
      // unmounting (done by its remove()) and deleting the store is a complete cleanup
      homeScratch.remove();
    },
  };
}
