/**
 * The lower side of a commit or diff: what the base image's root filesystem looked like.
 * It is the merged view of the base's layers (each read once, verified against its DiffID).
 */
import type { SnapshotLookup, Tree } from '@layerkit/diff';
import { mergedTree } from '@layerkit/diff';
import { createNativeSha256 } from '@layerkit/digest/node';
import type { ImageSource, ResolvedImage } from '../../store/image-source.js';
import { baseLayerOpeners } from './base-layers.js';

/** The lower tree, and the snapshot lookup that lets unchanged files be skipped unread. */
export interface LowerTree {
  tree: Tree;
  snapshot?: SnapshotLookup;
}

/** The lower tree to diff `rootfs` against, for the base `image`. */
export async function lowerTreeOf(
  source: ImageSource,
  image: ResolvedImage,
  _rootfs: string,
): Promise<LowerTree> {
  return { tree: await mergedTree(baseLayerOpeners(source, image), { hasher: createNativeSha256 }) };
}
