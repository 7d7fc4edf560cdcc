/**
 * `convert` (the CLI's `copy`): copies an image between stores (OCI layout, oci-archive,
 * docker-archive, registry). Blobs are copied byte for byte — never recompressed — so manifest,
 * config and layer digests survive. With `all`, a multi-platform image is copied whole.
 */
import { LayerkitError } from '@layerkit/digest';
import type { Descriptor } from '../../oci-types.js';
import type { PlatformWant } from '../../parse/platform.js';
import { type CopyImageOptions, copyAll, copyImage } from '../../store/copy-image.js';
import type { OpenImageOptions } from '../store/open-image.js';
import { eventLoopTurns } from './event-loop-turns.js';
import type { ImageRefLike } from './image-ref.js';
import { type LenientReadOptions, warnIfClientsReject } from './lenient-read.js';
import { bytesReporter, type ProgressOptions } from './progress.js';
import { withSink, withSource } from './with-image.js';

/** Options of {@link convert}. */
export interface ConvertOptions extends OpenImageOptions, ProgressOptions, LenientReadOptions {
  /** The platform to pick from a multi-platform source (default: the host's). */
  platform?: PlatformWant | undefined;
  /** Copy a multi-platform source whole: every image and the index itself (skopeo's `--all`). */
  all?: boolean | undefined;
}

/** Copies the image `from` names into `to`; returns the descriptor the destination's tag points at. */
export async function convert(
  from: ImageRefLike,
  to: ImageRefLike,
  options: ConvertOptions = {},
): Promise<Descriptor> {
  const turn = eventLoopTurns();
  const report = bytesReporter(options, 'copy');
  const copyOptions: CopyImageOptions = {
    signal: options.signal,
    // A throw (an abort) stops the copy before anything is published.
    onProgress: (bytes) => {
      report(bytes);
      return turn(bytes);
    },
    platform: options.platform,
    onResolved: (image) => warnIfClientsReject(image, options.onWarning),
  };
  if (options.all && options.platform !== undefined) {
    throw new LayerkitError(
      'INVALID_OPTION',
      'all and platform exclude each other: copy everything, or one platform',
      {
        option: 'all',
      },
    );
  }
  return withSource(from, options, (source) =>
    withSink(to, options, (sink) =>
      options.all ? copyAll(source, sink, copyOptions) : copyImage(source, sink, copyOptions),
    ),
  );
}
