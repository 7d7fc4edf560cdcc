/**
 * `unpack`: an image's root filesystem on disk, as a container runtime would create it, plus
 * what a later commit needs to diff it fast: the snapshot (written by the apply layer) and a
 * record of which image it came from, both kept beside the rootfs (`.<name>.layerkit/`).
 */
import { writeFileSync } from 'node:fs';
import { type UnpackResult, unpackImageLayers } from '@layerkit/diff/node';
import { checkLayersMatchDiffIds } from '../../parse/layer-count.js';
import type { PlatformWant } from '../../parse/platform.js';
import { formatImageReference } from '../../reference/image-reference.js';
import type { OpenImageOptions } from '../store/open-image.js';
import { type ImageRefLike, toImageReference } from './image-ref.js';
import type { LenientReadOptions } from './lenient-read.js';
import { layerStreamReporter, type ProgressOptions } from './progress.js';
import type { UnpackedImageRecord } from './unpacked-image-record.js';
import { withSourceImage } from './with-image.js';

/** Options of {@link unpack}. */
export interface UnpackImageOptions extends OpenImageOptions, ProgressOptions, LenientReadOptions {
  /** The platform to pick from a multi-platform image (default: the host's). */
  platform?: PlatformWant | undefined;
  /**
   * Create device nodes and FIFOs (default: true, as `tar -x`, umoci and Docker do as root).
   * Device nodes need root with `CAP_MKNOD`: without it they are skipped and reported in the
   * layer reports (`DEVICE_NOT_PERMITTED`), FIFOs are still made. `false` skips both
   * (`SPECIAL_FILES_OFF`). Either way a later commit of the rootfs writes no whiteout for what
   * was skipped: the snapshot it diffs against lists only what the unpack created (a squashed
   * commit writes the directory as it is).
   */
  devices?: boolean | undefined;
}

/** Unpacks `image` into the new directory `rootfs`; nothing appears there unless it all succeeds. */
export async function unpack(
  image: ImageRefLike,
  rootfs: string,
  options: UnpackImageOptions = {},
): Promise<UnpackResult> {
  const reference = toImageReference(image);
  return withSourceImage(reference, options, async (source, resolved) => {
    checkLayersMatchDiffIds(resolved.manifest.value, resolved.config.value);
    const diffIds = resolved.config.value.rootfs.diff_ids;
    const descriptors = resolved.manifest.value.layers;
    // An abort (or a throw from onProgress) fails the unpack there; nothing is left behind.
    const counted = layerStreamReporter(options, 'unpack', descriptors);
    const layers = descriptors.map((layer, i) => ({
      open: () => counted(i, source.blobs.stream(layer)),
      diffID: diffIds[i]!,
    }));
    const result = await unpackImageLayers(rootfs, layers, { devices: options.devices });
    const record: UnpackedImageRecord = {
      ref: formatImageReference(reference),
      manifestDigest: resolved.manifestDescriptor.digest,
      configDigest: resolved.manifest.value.config.digest,
    };
    writeFileSync(result.imageRecordFile, `${JSON.stringify(record)}\n`, { mode: 0o600 });
    return result;
  });
}
