/**
 * One build step, the shared tail of commit, import, append and config edits: copy the base's
 * layers into the sink, write the child config (new DiffID, history entry, config changes) and
 * its manifest, and publish them — blobs first, the tag last.
 */
import type { Digest, LayerBlob } from '@layerkit/digest';
import { createNativeSha256 } from '@layerkit/digest/node';
import { createHistoryEntry } from '@layerkit/history';
import { childConfig } from '../../build/child-config.js';
import { imageManifest } from '../../build/image-manifest.js';
import { applyChanges, parseChanges } from '../../config/config-change.js';
import { encodeDocument } from '../../json/raw.js';
import type { Descriptor, ImageConfig } from '../../oci-types.js';
import { copyLayerBlobs } from '../../store/copy-image.js';
import type { ImageSink } from '../../store/image-sink.js';
import type { ImageSource } from '../../store/image-source.js';

/** What a step records about itself (all optional, as for `docker commit`). */
export interface StepMetadata {
  /** `--author`: the history entry's author and the config's `author`. */
  author?: string;
  /** `--message`: the history entry's comment. */
  message?: string;
  /** The history entry's `created_by` (default: the base's Cmd joined by spaces, as Docker). */
  createdBy?: string;
  /** Dockerfile-style config changes (`CMD …`, `ENV …`, …) as `docker commit --change` takes them. */
  changes?: readonly string[];
  /** SOURCE_DATE_EPOCH in seconds: fixes `created` (and clamps layer mtimes) for reproducible output. */
  sourceDateEpoch?: number;
  /** The clock for `created` when no epoch is given (default: now). */
  clock?: () => Date;
}

/** The base a step builds on: an image from a source, or nothing (`scratch`). */
export interface StepBase {
  config: ImageConfig;
  layers: readonly Descriptor[];
  /** Where the base's layer blobs are read from when the sink lacks them. */
  source?: ImageSource;
}

/** What a published step produced. */
export interface StepResult {
  /** The image ID: the digest of the config bytes (`docker commit` prints it). */
  imageId: Digest;
  /** The manifest descriptor the tag now points at. */
  manifest: Descriptor;
  /** The new layer, or undefined when the step added none (`empty_layer: true`). */
  layer?: LayerBlob;
}

/**
 * Checks what a step will record before any work is done (a bad `--change` must not fail
 * only after a large layer has been written). Throws `INVALID_CHANGE`.
 */
export function checkStepMetadata(metadata: StepMetadata): void {
  if (metadata.changes?.length) parseChanges(metadata.changes);
}

/** Publishes the child of `base` with `layer` (if any) on top; the tag moves last. */
export async function publishStep(
  base: StepBase,
  sink: ImageSink,
  layer: LayerBlob | undefined,
  metadata: StepMetadata,
  tag?: string,
): Promise<StepResult> {
  if (base.source !== undefined) await copyLayerBlobs(base.source, sink, base.layers);
  const changed = metadata.changes?.length
    ? applyChanges(base.config, parseChanges(metadata.changes))
    : base.config;
  const history = createHistoryEntry({
    createdBy: metadata.createdBy ?? base.config.config?.Cmd?.join(' '),
    author: metadata.author,
    comment: metadata.message,
    emptyLayer: layer === undefined,
    clock: metadata.clock,
    sourceDateEpoch: metadata.sourceDateEpoch,
  });
  const config = childConfig(base.config, {
    diffID: layer?.diffID,
    history,
    author: metadata.author,
    config: changed.config,
  });
  const hasher = createNativeSha256;
  const configRaw = encodeDocument(config, { hasher });
  const layers: Descriptor[] = [...base.layers];
  if (layer !== undefined)
    layers.push({ mediaType: layer.mediaType, digest: layer.digest, size: layer.size });
  const manifestRaw = encodeDocument(imageManifest(configRaw, layers), { hasher });
  const manifest = await sink.publish(
    { manifest: manifestRaw, config: configRaw },
    tag === undefined ? {} : { tag },
  );
  return layer === undefined
    ? { imageId: configRaw.digest, manifest }
    : { imageId: configRaw.digest, manifest, layer };
}
