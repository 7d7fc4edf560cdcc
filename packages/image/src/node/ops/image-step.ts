/**
 * Build steps, the shared tail of commit, import, append, config edits and `build`: copy the
 * base's layers into the sink, write the child config (one DiffID and one history entry per
 * step, the config changes) and its manifest, and publish them — blobs first, the tag last.
 */
import type { Digest, LayerBlob } from '@layerkit/digest';
import { createNativeSha256 } from '@layerkit/digest/node';
import { childDocuments, type StepLayer, type StepMetadata } from '../../build/image-steps.js';
import type { Descriptor, ImageConfig } from '../../oci-types.js';
import { copyLayerBlobs } from '../../store/copy-image.js';
import type { ImageSink } from '../../store/image-sink.js';
import type { ImageSource } from '../../store/image-source.js';
import { bytesReporter, type ProgressOptions } from './progress.js';

export {
  checkStepMetadata,
  configEditText,
  type StepLayer,
  type StepMetadata,
} from '../../build/image-steps.js';

/** The base a step builds on: an image from a source, or nothing (`scratch`). */
export interface StepBase {
  config: ImageConfig;
  layers: readonly Descriptor[];
  /** Where the base's layer blobs are read from when the sink lacks them. */
  source?: ImageSource | undefined;
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
 * Publishes the child of `base` with one history entry per step (a DiffID for each step with a
 * layer), the config changes applied; the tag moves last. Returns the image ID and manifest.
 */
export async function publishSteps(
  base: StepBase,
  sink: ImageSink,
  steps: readonly StepLayer[],
  metadata: StepMetadata & ProgressOptions,
  tag?: string,
): Promise<{ imageId: Digest; manifest: Descriptor }> {
  const report = bytesReporter(metadata, 'copy');
  if (base.source !== undefined) await copyLayerBlobs(base.source, sink, base.layers, report);
  const { config: configRaw, manifest: manifestRaw } = childDocuments(
    base,
    steps,
    metadata,
    createNativeSha256,
  );
  metadata.signal?.throwIfAborted(); // the last checkpoint: nothing is published after an abort
  const manifest = await sink.publish({ manifest: manifestRaw, config: configRaw }, { tag });
  return { imageId: configRaw.digest, manifest };
}

/** Publishes the child of `base` with `layer` (if any) on top: one step, as `docker commit`. */
export async function publishStep(
  base: StepBase,
  sink: ImageSink,
  layer: LayerBlob | undefined,
  metadata: StepMetadata & ProgressOptions,
  tag?: string,
): Promise<StepResult> {
  const createdBy = metadata.createdBy ?? base.config.config?.Cmd?.join(' ');
  const published = await publishSteps(
    base,
    sink,
    [{ layer, createdBy, comment: metadata.comment }],
    metadata,
    tag,
  );
  return layer === undefined ? published : { ...published, layer };
}
