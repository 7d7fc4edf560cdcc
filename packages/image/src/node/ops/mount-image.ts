/**
 * `mountImage` / `unmountImage`: an image's root filesystem as a kernel overlayfs mount
 * (docs/design.md#mounted-images). The layers come from the shared layer cache (extracted once
 * per DiffID); the mount gets a fresh upperdir, so everything the user changes lands there and a
 * later `commit` of the mount reads only the upperdir: its cost follows the change, not the tree.
 * The mount's state lives in a private directory beside it, `.<name>.layerkit-mount/`: `upper/`,
 * `work/`, the `l/<n>` links to the cached layers, and `mount.json`.
 */
import { mkdirSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { setRootMetadata } from '@layerkit/diff/node';
import { type Digest, LayerkitError } from '@layerkit/digest';
import { readRegularFile } from '@layerkit/digest/internal/node';
import { checkLayersMatchDiffIds } from '../../parse/layer-count.js';
import type { PlatformWant } from '../../parse/platform.js';
import { formatImageReference } from '../../reference/image-reference.js';
import type { ResolvedImage } from '../../store/image-source.js';
import type { OpenImageOptions } from '../store/open-image.js';
import { type ImageRefLike, toImageReference } from './image-ref.js';
import { type CachedLayer, cachedLayer, type LayerCacheListener, layerCacheDir } from './layer-cache.js';
import type { LenientReadOptions } from './lenient-read.js';
import { isOverlayMounted, mountOverlay, overlayOptions, unmountOverlay } from './overlay-mount.js';
import { layerStreamReporter, type ProgressOptions } from './progress.js';
import { withSourceImage } from './with-image.js';

/** What `mount.json` records: the image mounted and the layers under it. */
export interface MountRecord {
  /** The image reference as given. */
  ref: string;
  /** The digest of the manifest mounted: a commit reads the upperdir only on top of this one. */
  manifestDigest: Digest;
  /** The digest of that manifest's config. */
  configDigest: Digest;
  /** The layers' DiffIDs, bottom first. */
  diffIDs: Digest[];
  /** The layer cache the lower layers live in. */
  cache: string;
}

/** Options of {@link mountImage}. */
export interface MountImageOptions extends OpenImageOptions, ProgressOptions, LenientReadOptions {
  /** The platform to pick from a multi-platform image (default: the host's). */
  platform?: PlatformWant | undefined;
  /**
   * The layer cache (default `$LAYERKIT_CACHE`, else `$XDG_CACHE_HOME/layerkit`, else
   * `~/.cache/layerkit`). Layers are extracted into it once and shared by every image and mount.
   */
  cache?: string | undefined;
  /** Create device nodes and FIFOs in extracted layers (default true, as `unpack`). */
  devices?: boolean | undefined;
  /** Receives each layer, bottom first, with whether it was extracted now or found cached. */
  onLayer?: LayerCacheListener | undefined;
}

/** What {@link mountImage} mounted. */
export interface MountedImage {
  /** The mount point (absolute). */
  dir: string;
  /** The upper directory: every change made under `dir`. */
  upperdir: string;
  /** What the mount's `mount.json` records. */
  record: MountRecord;
  /** The lower layers, bottom first. */
  layers: CachedLayer[];
}

/** Where the state of a mount on `dir` lives. */
export interface MountState {
  /** `.<name>.layerkit-mount/` beside the mount point. */
  stateDir: string;
  upperdir: string;
  recordFile: string;
}

/** The state paths of a mount on `dir` (which need not exist). */
export function mountState(dir: string): MountState {
  const absolute = resolve(dir);
  const stateDir = join(dirname(absolute), `.${basename(absolute)}.layerkit-mount`);
  return { stateDir, upperdir: join(stateDir, 'upper'), recordFile: join(stateDir, 'mount.json') };
}

/** The record of the mount on `dir`; undefined when there is none. */
export function readMountRecord(dir: string): MountRecord | undefined {
  let bytes: Uint8Array;
  try {
    bytes = readRegularFile(mountState(dir).recordFile, { followSymlinks: false });
  } catch {
    return undefined;
  }
  const value = JSON.parse(new TextDecoder().decode(bytes)) as Partial<MountRecord>;
  if (typeof value.manifestDigest !== 'string' || !Array.isArray(value.diffIDs)) return undefined;
  return value as MountRecord;
}

/** The mount point `dir`, absolute and free of symlinks (as mountinfo names it). */
function mountPoint(dir: string): string {
  return realpathSync(dir);
}

/** Creates `dir` or checks it is an empty directory. */
function prepareMountPoint(dir: string): void {
  const stats = statSync(dir, { throwIfNoEntry: false });
  if (stats === undefined) mkdirSync(dir, 0o755);
  else if (!stats.isDirectory())
    throw new LayerkitError('NOT_A_DIRECTORY', `${dir} is not a directory`, { path: dir });
  else if (readdirSync(dir).length > 0) {
    throw new LayerkitError('MOUNT_FAILED', `cannot mount on ${dir}: the directory is not empty`, {
      path: dir,
    });
  }
}

/** The cached lower layers of `image`, bottom first, extracting the ones the cache lacks. */
async function lowerLayers(
  source: Parameters<Parameters<typeof withSourceImage>[2]>[0],
  image: ResolvedImage,
  cache: string,
  options: MountImageOptions,
): Promise<CachedLayer[]> {
  checkLayersMatchDiffIds(image.manifest.value, image.config.value);
  const diffIDs = image.config.value.rootfs.diff_ids;
  const descriptors = image.manifest.value.layers;
  const counted = layerStreamReporter(options, 'unpack', descriptors);
  const layers: CachedLayer[] = [];
  for (const [i, descriptor] of descriptors.entries()) {
    const layer = await cachedLayer(cache, diffIDs[i]!, () => counted(i, source.blobs.stream(descriptor)), {
      devices: options.devices,
      layerName: `layer ${i} (${diffIDs[i]})`,
    });
    options.onLayer?.(layer);
    layers.push(layer);
  }
  return layers;
}

/**
 * Mounts `image` on `dir` (created when missing; it must be an empty directory) with kernel
 * overlayfs: its layers, from the layer cache, as read-only lower layers, and a fresh upperdir.
 * Needs root, or a user namespace that may mount overlayfs (`unshare -Urm`, Linux 5.11+):
 * otherwise `NEEDS_ROOT`. A second mount of `dir` is `ALREADY_MOUNTED`. Undo it with
 * {@link unmountImage}; commit the changes with `commit({ base: image, rootfs: dir, … })`.
 */
export async function mountImage(
  image: ImageRefLike,
  dir: string,
  options: MountImageOptions = {},
): Promise<MountedImage> {
  const reference = toImageReference(image);
  const state = mountState(dir);
  if (statSync(state.stateDir, { throwIfNoEntry: false }) !== undefined) {
    throw new LayerkitError(
      'ALREADY_MOUNTED',
      `${dir} already has a mount (${state.stateDir}): run 'layerkit umount ${dir}' first`,
      { path: dir },
    );
  }
  const cache = layerCacheDir(options.cache);
  return withSourceImage(reference, options, async (source, resolved) => {
    prepareMountPoint(dir);
    const layers = await lowerLayers(source, resolved, cache, options);
    const record: MountRecord = {
      ref: formatImageReference(reference),
      manifestDigest: resolved.manifestDescriptor.digest,
      configDigest: resolved.manifest.value.config.digest,
      diffIDs: layers.map((layer) => layer.diffID),
      cache,
    };
    mkdirSync(state.stateDir, 0o700);
    try {
      const links = join(state.stateDir, 'l');
      mkdirSync(links);
      mkdirSync(state.upperdir);
      mkdirSync(join(state.stateDir, 'work'));
      // The merged root is the upperdir's root: it takes what an unpack gives the rootfs.
      const root = layers.findLast((layer) => layer.root !== undefined)?.root;
      setRootMetadata(state.upperdir, root);
      // overlayfs needs a lower layer: an image without layers mounts an empty one.
      const lowers = layers.length === 0 ? [join(state.stateDir, 'empty')] : layers.map((layer) => layer.dir);
      if (layers.length === 0) mkdirSync(lowers[0]!);
      for (const [i, lower] of lowers.entries()) symlinkSync(lower, join(links, String(i)));
      writeFileSync(state.recordFile, `${JSON.stringify(record)}\n`, { mode: 0o600 });
      const top = lowers.map((_lower, i) => `l/${i}`).reverse();
      await mountOverlay(mountPoint(dir), overlayOptions(top), state.stateDir);
    } catch (error) {
      rmSync(state.stateDir, { recursive: true, force: true });
      throw error;
    }
    return { dir: mountPoint(dir), upperdir: state.upperdir, record, layers };
  });
}

/**
 * Unmounts the image mounted on `dir` and removes its state, the upperdir with it (commit first
 * to keep the changes; as `buildah umount` + `buildah rm`). `dir` itself stays, empty. A record
 * whose mount is already gone (a reboot, another mount namespace) is removed all the same;
 * no record at all is `NOT_MOUNTED`.
 */
export async function unmountImage(dir: string): Promise<void> {
  const state = mountState(dir);
  if (statSync(state.stateDir, { throwIfNoEntry: false }) === undefined) {
    throw new LayerkitError('NOT_MOUNTED', `${dir} has no mounted image (no ${state.stateDir})`, {
      path: dir,
    });
  }
  const point = mountPoint(dir);
  if (isOverlayMounted(point)) await unmountOverlay(point);
  rmSync(state.stateDir, { recursive: true, force: true });
}

/**
 * The upperdir of the overlay mounted on `rootfs` from exactly the manifest `manifestDigest`;
 * undefined when `rootfs` is no layerkit mount or one of another image (its merged view is then
 * an ordinary directory). A record whose mount is gone is `NOT_MOUNTED`: the directory under it
 * no longer shows the image, and diffing it would delete everything.
 */
export function mountedUpperdir(rootfs: string, manifestDigest: Digest): string | undefined {
  const record = readMountRecord(rootfs);
  if (record === undefined) return undefined;
  if (!isOverlayMounted(mountPoint(rootfs))) {
    throw new LayerkitError(
      'NOT_MOUNTED',
      `${rootfs} has a mount record but no overlay is mounted there (mounted in another mount namespace, or lost at a reboot?): run 'layerkit umount ${rootfs}' and mount again`,
      { path: rootfs },
    );
  }
  return record.manifestDigest === manifestDigest ? mountState(rootfs).upperdir : undefined;
}
