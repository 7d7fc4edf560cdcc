/**
 * Squashed commits: the whole root filesystem as the image's only layer. The base's history is
 * kept for the record with every entry marked empty, and the new entry owns the one layer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directoryTree } from '@layerkit/diff/node';
import type { PlatformWant } from '../../parse/platform.js';
import type { OpenImageOptions } from '../store/open-image.js';
import type { CommitOptions } from './commit.js';
import type { ImageRefLike } from './image-ref.js';
import { checkStepMetadata, publishStep, type StepMetadata, type StepResult } from './image-step.js';
import { type LayerOptions, layerFromDiff } from './layer-from-tree-diff.js';
import { walkReporter } from './progress.js';
import { unpack } from './unpack.js';
import { withSink, withSourceImage } from './with-image.js';

/** Commits `options.rootfs` as a single-layer image configured like `options.base`. */
export async function squashedCommit(options: CommitOptions): Promise<StepResult> {
  return withSourceImage(options.base, options, async (_source, image) => {
    const base = {
      config: { ...image.config.value, rootfs: { type: 'layers' as const, diff_ids: [] } },
      layers: [],
    };
    return withSink(options.dest, options, async (sink) => {
      const upper = directoryTree(options.rootfs, {
        onEntries: walkReporter(options),
        onWarning: options.onWarning,
      });
      const layer = await layerFromDiff(undefined, upper, sink.blobs, options);
      return publishStep(base, sink, layer, options);
    });
  });
}

/** Options of {@link squash}. */
export interface SquashOptions extends StepMetadata, LayerOptions, OpenImageOptions {
  /** The image to squash. */
  image: ImageRefLike;
  /** Where the squashed image goes; may be the source's layout with another tag. */
  dest: ImageRefLike;
  /** The platform to pick from a multi-platform image (default: the host's). */
  platform?: PlatformWant | undefined;
}

/**
 * Squashes an image's layers into one: its root filesystem (whiteouts resolved) becomes the only
 * layer, its config is kept, and its history too, every entry marked empty, with a new entry
 * owning the one layer (as `commit` with `squash: true`). The layers are applied to a private
 * temporary directory, removed afterwards.
 */
export async function squash(options: SquashOptions): Promise<StepResult> {
  checkStepMetadata(options);
  const work = mkdtempSync(join(tmpdir(), 'layerkit-squash-'));
  try {
    const rootfs = join(work, 'rootfs');
    await unpack(options.image, rootfs, {
      platform: options.platform,
      registry: options.registry,
      sourceRegistry: options.sourceRegistry,
      signal: options.signal,
    });
    return await squashedCommit({ ...options, base: options.image, rootfs });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
