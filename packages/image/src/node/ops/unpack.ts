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
import { countedBytes } from './event-loop-turns.js';
import { type ImageRefLike, toImageReference } from './image-ref.js';
import type { UnpackedImageRecord } from './unpacked-image-record.js';
import { withSourceImage } from './with-image.js';

/** How far an unpack has read: compressed layer bytes, of the image's total. */
export interface UnpackProgress {
  /** The layer being applied (0 = bottom) and how many there are. */
  layer: number;
  layers: number;
  /** Compressed bytes read so far, over all layers, and the sum of the layer sizes. */
  bytes: number;
  totalBytes: number;
}

/** Options of {@link unpack}. */
export interface UnpackImageOptions extends OpenImageOptions {
  platform?: PlatformWant;
  /** Create device nodes and FIFOs (only honoured as root); default: skip and report them. */
  devices?: boolean;
  /**
   * Called as layer bytes are read. A throw fails the unpack at that point (nothing is left
   * behind), which is how a caller cancels it.
   */
  onProgress?: (progress: UnpackProgress) => void;
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
    const progress: UnpackProgress = {
      layer: 0,
      layers: descriptors.length,
      bytes: 0,
      totalBytes: descriptors.reduce((sum, layer) => sum + layer.size, 0),
    };
    const { onProgress } = options;
    const layers = descriptors.map((layer, i) => ({
      open: () => {
        const before = progress.bytes;
        progress.layer = i;
        return countedBytes(source.blobs.stream(layer), (bytes) => {
          progress.bytes = before + bytes;
          onProgress?.({ ...progress });
        });
      },
      diffID: diffIds[i]!,
    }));
    const result = await unpackImageLayers(rootfs, layers, options.devices === true ? { devices: true } : {});
    const record: UnpackedImageRecord = {
      ref: formatImageReference(reference),
      manifestDigest: resolved.manifestDescriptor.digest,
      configDigest: resolved.manifest.value.config.digest,
    };
    writeFileSync(result.imageRecordFile, `${JSON.stringify(record)}\n`, { mode: 0o600 });
    return result;
  });
}
