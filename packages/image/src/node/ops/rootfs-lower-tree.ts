/**
 * The lower side of a commit or diff: what the base image's root filesystem looked like.
 * When the rootfs was unpacked by layerkit from this very image, the snapshot recorded then IS
 * that tree (metadata, content digests and the stats of the files as written): the diff becomes
 * a stat walk of the rootfs and no base layer is read. Otherwise it is the merged view of the
 * base's layers (each read once, verified against its DiffID), with a version-1 snapshot (older
 * unpacks) still used to skip unchanged files.
 */
import { existsSync } from 'node:fs';
import type { SnapshotLookup, Tree } from '@layerkit/diff';
import { mergedTree, snapshotLookup } from '@layerkit/diff';
import { readSnapshot, readSnapshotTree, snapshotFileVersion, unpackLayout } from '@layerkit/diff/node';
import type { HasherFactory } from '@layerkit/digest';
import { createNativeSha256 } from '@layerkit/digest/node';
import type { ImageSource, ResolvedImage } from '../../store/image-source.js';
import { baseLayerOpeners } from './base-layers.js';
import { readUnpackedImageRecord } from './unpacked-image-record.js';

/** The lower tree, the snapshot lookup that lets unchanged files be skipped unread, and the hasher for content checks. */
export interface LowerTree {
  tree: Tree;
  snapshot?: SnapshotLookup;
  hasher: HasherFactory;
}

/** The snapshot file of `rootfs` when it was unpacked from exactly `image`; else undefined. */
function snapshotFileFor(image: ResolvedImage, rootfs: string): string | undefined {
  const layout = unpackLayout(rootfs);
  const record = readUnpackedImageRecord(layout.imageRecordFile);
  if (record?.manifestDigest !== image.manifestDescriptor.digest) return undefined;
  return existsSync(layout.snapshotFile) ? layout.snapshotFile : undefined;
}

/** The lower tree to diff `rootfs` against, for the base `image`. */
export async function lowerTreeOf(
  source: ImageSource,
  image: ResolvedImage,
  rootfs: string,
): Promise<LowerTree> {
  const hasher = createNativeSha256;
  const snapshotFile = snapshotFileFor(image, rootfs);
  if (snapshotFile !== undefined && snapshotFileVersion(snapshotFile) === 2) {
    return { tree: readSnapshotTree(snapshotFile), hasher };
  }
  const tree = await mergedTree(baseLayerOpeners(source, image), { hasher });
  return snapshotFile === undefined
    ? { tree, hasher }
    : { tree, snapshot: snapshotLookup(readSnapshot(snapshotFile)), hasher };
}
