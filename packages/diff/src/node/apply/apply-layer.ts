/**
 * `applyLayer`: applies one OCI layer (gzip, zstd where Node has it, or plain tar; sniffed) to a
 * directory with the secure algorithm of docs/secure-apply.md, and verifies its DiffID.
 */
import type { Digest } from '@layerkit/digest';
import { nodeRuntime } from '@layerkit/digest/node';
import { applyEntries } from '../../apply/apply-entries.js';
import { type ApplyTally, emptyTally } from '../../apply/apply-types.js';
import type { TarLimits } from '../../contracts.js';
import { type DecompressionLimits, LayerStream } from '../../layer/layer-stream.js';
import { DEFAULT_TAR_LIMITS } from '../../tar/header-decoder.js';
import { readTar } from '../../tar/read-tar.js';
import { DiskTarget } from './disk-target.js';
import type { WrittenContents } from './written-contents.js';

/** Options of `applyLayer`. */
export interface ApplyOptions {
  /** Tar reader limits plus decompression caps (T17–T21, docs/threat-model.md#apply). */
  limits?: TarLimits & DecompressionLimits;
  /** Reject a path that occurs twice in the layer (T22); default: apply in order. */
  strict?: boolean;
  /**
   * Create device nodes and FIFOs (T14; default: true). Device nodes need root with `CAP_MKNOD`:
   * without it they are skipped and reported (`DEVICE_NOT_PERMITTED`), FIFOs are still made.
   * `false` skips and reports both (`SPECIAL_FILES_OFF`).
   */
  devices?: boolean | undefined;
  /** Make a failing lchown an error; default: count it in `ownershipFailures` (rootless). */
  strictOwnership?: boolean;
  /**
   * The layer's DiffID from the image config: a mismatch is `DIFFID_MISMATCH`. With it, a layer
   * that fails to apply is read to its end first, so that a corrupt blob (`BLOB_CORRUPT` from a
   * verifying source) or a wrong DiffID is reported rather than what its bytes tripped.
   */
  expectedDiffID?: Digest;
  /** How errors name the layer (e.g. `layer 2`); default `layer`. */
  layerName?: string;
  /** Receives the sha256 of every regular file written (hashed while writing it). */
  writtenContents?: WrittenContents;
  /**
   * `overlay`: extract the layer on its own as an overlayfs lower layer (into an empty directory):
   * whiteouts become 0:0 character devices and opaque markers `user.overlay.opaque=y`, nothing
   * is removed. Default `remove`: apply onto the layers below.
   */
  whiteouts?: 'remove' | 'overlay' | undefined;
}

/** What `applyLayer` did. */
export interface ApplyReport extends ApplyTally {
  /** Decompressed bytes, trailing data after the tar included. */
  bytes: number;
  /** sha256 of the whole decompressed stream. */
  diffID: Digest;
}

/**
 * Applies a layer to the existing directory `rootDir`. Nothing is ever created, changed or removed
 * outside `rootDir`: every parent is resolved inside it, and no operation follows a final
 * symlink. Hostile or corrupt input fails with a `LayerkitError` naming the entry. The apply is
 * not atomic: after a failure `rootDir` holds a partial layer (see `unpackImageLayers`).
 * Run it on a directory private to this process (mode 0700 parent): the in-root resolution
 * checks then act without races.
 */
export async function applyLayer(
  rootDir: string,
  tar: AsyncIterable<Uint8Array>,
  options: ApplyOptions = {},
): Promise<ApplyReport> {
  const tally = emptyTally();
  const stream = new LayerStream(tar, {
    runtime: nodeRuntime,
    layer: options.layerName ?? 'layer',
    diffID: options.expectedDiffID,
    limits: options.limits,
  });
  const target = new DiskTarget(rootDir, tally, { ...options, overlay: options.whiteouts === 'overlay' });
  // The reader counts a sparse file's holes against maxTotalBytes: held to the decompressed-size
  // cap as well, a small layer cannot expand further than a decompressed one may (T28).
  const maxTotalBytes = Math.min(
    options.limits?.maxTotalBytes ?? DEFAULT_TAR_LIMITS.maxTotalBytes,
    stream.maxBytes,
  );
  const tarLimits = { ...options.limits, maxTotalBytes };
  try {
    await applyEntries(
      target,
      readTar(stream, tarLimits),
      { strict: options.strict === true, whiteouts: options.whiteouts },
      tally,
    );
    const { bytes, diffID } = await stream.finish();
    return { ...tally, bytes, diffID };
  } catch (error) {
    // Releases the source (a file, a socket); a corrupt blob or wrong DiffID is the cause to report.
    throw await stream.failure(error);
  }
}
