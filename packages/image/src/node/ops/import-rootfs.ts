/**
 * `importRootfs`: `docker import` of a directory — a one-layer image from scratch whose config
 * carries the host platform and no execution parameters unless `changes` set them.
 */
import { directoryTree } from '@layerkit/diff/node';
import { scratchConfig } from '../../build/scratch-config.js';
import type { PlatformWant } from '../../parse/platform.js';
import { hostPlatform } from '../store/host-platform.js';
import type { OpenImageOptions } from '../store/open-image.js';
import type { ImageRefLike } from './image-ref.js';
import { checkStepMetadata, publishStep, type StepMetadata, type StepResult } from './image-step.js';
import { type LayerOptions, layerFromDiff } from './layer-from-tree-diff.js';
import { walkReporter } from './progress.js';
import { withSink } from './with-image.js';

/** Options of {@link importRootfs}. */
export interface ImportOptions extends StepMetadata, LayerOptions, OpenImageOptions {
  /** The root filesystem directory to import. */
  rootfs: string;
  /** Where the new image goes. */
  dest: ImageRefLike;
  /** The platform recorded in the config (default: the host's). */
  platform?: PlatformWant | undefined;
}

/** Imports `options.rootfs` as a new single-layer image and returns its ID. */
export async function importRootfs(options: ImportOptions): Promise<StepResult> {
  checkStepMetadata(options);
  const base = { config: scratchConfig(options.platform ?? hostPlatform()), layers: [] };
  return withSink(options.dest, options, async (sink) => {
    const upper = directoryTree(options.rootfs, {
      onEntries: walkReporter(options),
      onWarning: options.onWarning,
    });
    const layer = await layerFromDiff(undefined, upper, sink.blobs, options);
    return publishStep(base, sink, layer, { ...options, createdBy: options.createdBy ?? '' });
  });
}
