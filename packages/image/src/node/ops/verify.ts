/**
 * `verify`: checks an image end to end and reports every problem instead of stopping at the
 * first — each layer blob's size and digest, each DiffID (by decompressing), the layer count
 * against the config, and the history-to-layer mapping.
 */
import { type Digest, isLayerkitError } from '@layerkit/digest';
import { mapHistoryToLayers } from '@layerkit/history';
import { checkLayersMatchDiffIds } from '../../parse/layer-count.js';
import type { PlatformWant } from '../../parse/platform.js';
import type { OpenImageOptions } from '../store/open-image.js';
import { baseLayerStream } from './base-layers.js';
import type { ImageRefLike } from './image-ref.js';
import { layerStreamReporter, type ProgressOptions } from './progress.js';
import { withSourceImage } from './with-image.js';

/** One problem found by {@link verify}. */
export interface VerifyProblem {
  /** A stable code (`BLOB_CORRUPT`, `DIFFID_MISMATCH`, `LAYER_COUNT_MISMATCH`, `TOO_FEW_NON_EMPTY_ENTRIES`, …). */
  code: string;
  /** A sentence for people, naming the layer or entry concerned. */
  message: string;
}

/** The outcome of {@link verify}. */
export interface VerifyReport {
  /** True when no problem was found. */
  ok: boolean;
  /** The digest of the image manifest that was checked. */
  manifest: Digest;
  /** The digest of its config. */
  config: Digest;
  /** Layers checked (digest and DiffID both verified when `ok`). */
  layers: Array<{
    /** The layer blob's digest (from the manifest). */
    digest: Digest;
    /** The DiffID the config lists for it; absent when the config lists too few. */
    diffID?: Digest;
    /** True when the blob matched its digest and size and its uncompressed tar its DiffID. */
    ok: boolean;
  }>;
  /** Everything found wrong, in the order found (empty when `ok`). */
  problems: VerifyProblem[];
}

function problemOf(error: unknown): VerifyProblem {
  if (isLayerkitError(error)) return { code: error.code, message: error.message };
  throw error;
}

/** Options of {@link verify}. */
export interface VerifyOptions extends OpenImageOptions, ProgressOptions {
  /** The platform to pick from a multi-platform image (default: the host's). */
  platform?: PlatformWant | undefined;
}

/** Verifies the image `ref` names. Unreadable manifests or configs still throw (there is nothing to check). */
export async function verify(ref: ImageRefLike, options: VerifyOptions = {}): Promise<VerifyReport> {
  return withSourceImage(ref, options, async (source, image) => {
    const problems: VerifyProblem[] = [];
    const { layers } = image.manifest.value;
    const diffIds = image.config.value.rootfs.diff_ids;
    try {
      checkLayersMatchDiffIds(image.manifest.value, image.config.value);
    } catch (error) {
      problems.push(problemOf(error));
    }
    const checked: VerifyReport['layers'] = [];
    const counted = layerStreamReporter(options, 'verify', layers);
    for (const [i, layer] of layers.entries()) {
      const diffID = diffIds[i];
      const checkedLayer = { digest: layer.digest, ...(diffID === undefined ? {} : { diffID }) };
      try {
        const blob = counted(i, source.blobs.stream(layer));
        if (diffID === undefined) {
          for await (const _chunk of blob) {
            // No DiffID to check: reading to the end checks the blob's size and digest.
          }
        } else {
          await baseLayerStream(blob, i, layer, diffID).finish();
        }
        checked.push({ ...checkedLayer, ok: diffID !== undefined });
      } catch (error) {
        problems.push(problemOf(error));
        checked.push({ ...checkedLayer, ok: false });
      }
    }
    const mapping = mapHistoryToLayers(image.config.value.history ?? [], diffIds);
    for (const problem of mapping.validation.problems)
      problems.push({ code: problem.code, message: problem.message });
    return {
      ok: problems.length === 0,
      manifest: image.manifestDescriptor.digest,
      config: image.manifest.value.config.digest,
      layers: checked,
      problems,
    };
  });
}
