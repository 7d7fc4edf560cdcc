/**
 * Squashed commits: the whole root filesystem as the image's only layer. The base's history is
 * kept for the record with every entry marked empty, and the new entry owns the one layer.
 */
import { MemoryTree } from '@layerkit/diff';
import { directoryTree } from '@layerkit/diff/node';
import type { CommitOptions } from './commit.js';
import { publishStep, type StepResult } from './image-step.js';
import { layerFromDiff } from './layer-from-tree-diff.js';
import { withSink, withSourceImage } from './with-image.js';

/** Commits `options.rootfs` as a single-layer image configured like `options.base`. */
export async function squashedCommit(options: CommitOptions): Promise<StepResult> {
  return withSourceImage(options.base, options.platform, async (_source, image) => {
    const base = {
      config: { ...image.config.value, rootfs: { type: 'layers' as const, diff_ids: [] } },
      layers: [],
    };
    return withSink(options.dest, async (sink) => {
      const upper = directoryTree(options.rootfs, {
        ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
      });
      const layer = await layerFromDiff(MemoryTree.fromEntries([]), upper, sink.blobs, options);
      return publishStep(base, sink, layer, options);
    });
  });
}
