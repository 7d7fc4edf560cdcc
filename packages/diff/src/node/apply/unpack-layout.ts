/**
 * Where an unpacked image lives. The rootfs is the directory the user names (`layerkit unpack
 * IMAGE ./webserver` → edit `./webserver/etc/…`); everything layerkit records about it sits
 * OUTSIDE it, in a hidden sibling directory, so nothing the user or the container does inside
 * the rootfs can read, forge or diff it:
 *
 * ```
 * <parent>/<name>/                  the rootfs (the mode its layers give `./`, else 0755)
 * <parent>/.<name>.layerkit/        metadata (mode 0700)
 *     snapshot                      stat facts of the unpacked tree (snapshot format v1)
 *     image.json                    the image identity record (written by @layerkit/image)
 * ```
 */
import { basename, dirname, join, resolve } from 'node:path';

/** The paths of one unpacked image. */
export interface UnpackLayout {
  /** The rootfs directory (absolute). */
  rootfs: string;
  /** The metadata directory beside it. */
  metadataDir: string;
  /** The snapshot file recorded at unpack time. */
  snapshotFile: string;
  /** Where the image package records `{ manifestDigest, configDigest, ref }`. */
  imageRecordFile: string;
}

/** The layout for the rootfs at `rootDir`. */
export function unpackLayout(rootDir: string): UnpackLayout {
  const rootfs = resolve(rootDir);
  const metadataDir = join(dirname(rootfs), `.${basename(rootfs)}.layerkit`);
  return {
    rootfs,
    metadataDir,
    snapshotFile: join(metadataDir, 'snapshot'),
    imageRecordFile: join(metadataDir, 'image.json'),
  };
}
