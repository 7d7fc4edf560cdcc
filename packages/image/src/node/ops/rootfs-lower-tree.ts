/**
 * The lower side of a commit or diff: what the base image's root filesystem looked like.
 * It is the merged view of the base's layers (each read once, verified against its DiffID);
 * when the rootfs was unpacked by layerkit from this very image, the snapshot recorded then
 * lets every file whose stat is unchanged be skipped without reading it.
 */
import { existsSync } from 'node:fs';
import type { SnapshotLookup, Tree } from '@layerkit/diff';
import { mergedTree, snapshotLookup } from '@layerkit/diff';
import { readSnapshot, unpackLayout } from '@layerkit/diff/node';
import { createNativeSha256 } from '@layerkit/digest/node';
import type { ImageSource, ResolvedImage } from '../../store/image-source.js';
import { baseLayerOpeners } from './base-layers.js';
import { readUnpackedImageRecord } from './unpacked-image-record.js';

/** The lower tree, and the snapshot lookup that lets unchanged files be skipped unread. */
export interface LowerTree {
  tree: Tree;
  snapshot?: SnapshotLookup;
}

/** The snapshot of `rootfs` when it was unpacked from exactly `image`; else undefined. */
function snapshotFor(image: ResolvedImage, rootfs: string): SnapshotLookup | undefined {
  const layout = unpackLayout(rootfs);
  const record = readUnpackedImageRecord(layout.imageRecordFile);
  if (record?.manifestDigest !== image.manifestDescriptor.digest || !existsSync(layout.snapshotFile))
    return undefined;
  return snapshotLookup(readSnapshot(layout.snapshotFile));
}

/** The lower tree to diff `rootfs` against, for the base `image`. */
export async function lowerTreeOf(
  source: ImageSource,
  image: ResolvedImage,
  rootfs: string,
): Promise<LowerTree> {
  const tree = await mergedTree(baseLayerOpeners(source, image), { hasher: createNativeSha256 });
  const snapshot = snapshotFor(image, rootfs);
  return snapshot === undefined ? { tree } : { tree, snapshot };
}
