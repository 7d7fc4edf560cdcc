/**
 * `diffImage`: `docker diff` of a root filesystem against the image it came from.
 */
import {
  type DetectionMode,
  type DiffStats,
  type DockerChange,
  diffTrees,
  dockerChange,
} from '@layerkit/diff';
import { directoryTree } from '@layerkit/diff/node';
import type { PlatformWant } from '../../parse/platform.js';
import type { OpenImageOptions } from '../store/open-image.js';
import type { ImageRefLike } from './image-ref.js';
import type { LenientReadOptions } from './lenient-read.js';
import { type ProgressOptions, walkReporter } from './progress.js';
import { lowerTreeOf } from './rootfs-lower-tree.js';
import { withSourceImage } from './with-image.js';

/** Options of {@link diffImage}. */
export interface DiffImageOptions extends OpenImageOptions, ProgressOptions, LenientReadOptions {
  /** Change detection (default: the diff engine's `auto`). */
  mode?: DetectionMode | undefined;
  /** The platform to pick from a multi-platform image (default: the host's). */
  platform?: PlatformWant | undefined;
  /**
   * Receives what the diff cost once it has ended: entries walked, paths settled by recorded
   * stat, metadata or content, files and bytes read, and the walk / compare / hash times (measured
   * only when this is given).
   */
  onStats?: ((stats: DiffStats) => void) | undefined;
}

/**
 * The changes from `image`'s root filesystem to `rootfs`, in the global path order, as `docker
 * diff` reports them (absolute UTF-8 paths; the exact name bytes beside them).
 */
export async function diffImage(
  image: ImageRefLike,
  rootfs: string,
  options: DiffImageOptions = {},
): Promise<DockerChange[]> {
  return withSourceImage(image, options, async (source, resolved) => {
    const lower = await lowerTreeOf(source, resolved, rootfs);
    const changes: DockerChange[] = [];
    const stream = diffTrees(lower.tree, directoryTree(rootfs, { onEntries: walkReporter(options) }), {
      mode: options.mode,
      hasher: lower.hasher,
      snapshot: lower.snapshot,
      timing: options.onStats !== undefined,
    });
    for await (const change of stream) changes.push(dockerChange(change));
    options.onStats?.(stream.stats);
    return changes;
  });
}
