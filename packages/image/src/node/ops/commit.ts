/**
 * `commit`: `docker commit` without a daemon. The difference between a base image and a
 * modified root filesystem becomes one new layer on top of the base, with a history entry.
 */
import { directoryTree, upperdirChanges } from '@layerkit/diff/node';
import type { PlatformWant } from '../../parse/platform.js';
import type { OpenImageOptions } from '../store/open-image.js';
import type { ImageRefLike } from './image-ref.js';
import { checkStepMetadata, publishStep, type StepMetadata, type StepResult } from './image-step.js';
import { type LayerOptions, layerFromChanges, layerFromDiff } from './layer-from-tree-diff.js';
import { mountedUpperdir } from './mount-image.js';
import { walkReporter } from './progress.js';
import { lowerTreeOf } from './rootfs-lower-tree.js';
import { squashedCommit } from './squash.js';
import { withSink, withSourceImage } from './with-image.js';

/** Options of {@link commit}. */
export interface CommitOptions extends StepMetadata, LayerOptions, OpenImageOptions {
  /** The base image (the image the rootfs was unpacked from). */
  base: ImageRefLike;
  /** The modified root filesystem directory. */
  rootfs: string;
  /** Where the new image goes; may be the base's layout with another tag. */
  dest: ImageRefLike;
  /** The platform to pick from a multi-platform base (default: the host's). */
  platform?: PlatformWant | undefined;
  /** Make the result a single layer holding the whole rootfs (history kept, older entries empty). */
  squash?: boolean | undefined;
}

/**
 * Commits `rootfs` on top of `base` into `dest` and returns the new image ID. When nothing
 * changed, no layer is added and the history entry is `empty_layer` (as Docker does).
 * The destination's tag moves only after every blob is stored; a failure leaves it unchanged.
 */
export async function commit(options: CommitOptions): Promise<StepResult> {
  checkStepMetadata(options);
  if (options.squash) return squashedCommit(options);
  return withSourceImage(options.base, options, async (source, image) => {
    // A layerkit mount of this very image: its upperdir holds every change (O(change), no walk).
    const upperdir = mountedUpperdir(options.rootfs, image.manifestDescriptor.digest);
    if (upperdir !== undefined) {
      return withSink(options.dest, options, async (sink) => {
        const changes = upperdirChanges(
          upperdir,
          undefined,
          options.onWarning ? { onWarning: options.onWarning } : {},
        );
        const layer = await layerFromChanges(changes, sink.blobs, options);
        const base = { config: image.config.value, layers: image.manifest.value.layers, source };
        return publishStep(base, sink, layer, options);
      });
    }
    const lower = await lowerTreeOf(source, image, options.rootfs);
    const upper = directoryTree(options.rootfs, {
      onEntries: walkReporter(options),
      onWarning: options.onWarning,
    });
    return withSink(options.dest, options, async (sink) => {
      const layer = await layerFromDiff(lower.tree, upper, sink.blobs, {
        ...options,
        hasher: lower.hasher,
        snapshot: lower.snapshot,
      });
      const base = { config: image.config.value, layers: image.manifest.value.layers, source };
      return publishStep(base, sink, layer, options);
    });
  });
}
