/**
 * Build steps, the shared tail of commit, import, append, config edits and `build`: copy the
 * base's layers into the sink, write the child config (one DiffID and one history entry per
 * step, the config changes) and its manifest, and publish them — blobs first, the tag last.
 */
import type { Digest, LayerBlob } from '@layerkit/digest';
import { checkSourceDateEpoch } from '@layerkit/digest/internal';
import { createNativeSha256 } from '@layerkit/digest/node';
import { createHistoryEntry } from '@layerkit/history';
import { childConfig } from '../../build/child-config.js';
import { imageManifest } from '../../build/image-manifest.js';
import { applyChanges, parseChanges } from '../../config/config-change.js';
import { applyConfig, type ConfigPatch } from '../../config/config-patch.js';
import { encodeDocument } from '../../json/raw.js';
import type { Descriptor, ImageConfig } from '../../oci-types.js';
import { copyLayerBlobs } from '../../store/copy-image.js';
import type { ImageSink } from '../../store/image-sink.js';
import type { ImageSource } from '../../store/image-source.js';
import { bytesReporter, type ProgressOptions } from './progress.js';

/** What a step records about itself (all optional, as for `docker commit`). */
export interface StepMetadata {
  /** `--author`: the history entry's author and the config's `author`. */
  author?: string | undefined;
  /** `--message`: the history entry's comment. */
  comment?: string | undefined;
  /** The history entry's `created_by` (default: the base's Cmd joined by spaces, as Docker). */
  createdBy?: string | undefined;
  /**
   * Dockerfile-style config changes (`CMD …`, `ENV PATH=/app:$PATH`, `HEALTHCHECK …`) as
   * `docker commit --change` takes them, expanded against the config's Env as Docker does.
   */
  changes?: readonly string[] | undefined;
  /** Config fields set literally (no expansion, no parsing), after `changes`. */
  config?: ConfigPatch | undefined;
  /**
   * SOURCE_DATE_EPOCH in seconds: fixes `created` (and clamps layer mtimes) for reproducible
   * output. A whole number from 0 to 253402300799 (year 9999), else `INVALID_SOURCE_DATE_EPOCH`.
   */
  sourceDateEpoch?: number | undefined;
  /** The clock for `created` when no epoch is given (default: now). */
  clock?: (() => Date) | undefined;
}

/** The base a step builds on: an image from a source, or nothing (`scratch`). */
export interface StepBase {
  config: ImageConfig;
  layers: readonly Descriptor[];
  /** Where the base's layer blobs are read from when the sink lacks them. */
  source?: ImageSource | undefined;
}

/** One step of a multi-step publish: a layer (or none) and its history entry's text. */
export interface StepLayer {
  layer: LayerBlob | undefined;
  createdBy?: string | undefined;
  comment?: string | undefined;
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

const EMPTY_CONFIG: ImageConfig = {
  architecture: 'amd64',
  os: 'linux',
  rootfs: { type: 'layers', diff_ids: [] },
};

/**
 * Checks what a step will record before any work is done (a bad `--change`, config field or
 * epoch must not fail only after a large layer has been written). Throws `INVALID_CHANGE`,
 * `INVALID_CONFIG` or `INVALID_SOURCE_DATE_EPOCH`.
 */
export function checkStepMetadata(metadata: StepMetadata): void {
  if (metadata.sourceDateEpoch !== undefined) checkSourceDateEpoch(metadata.sourceDateEpoch);
  if (metadata.changes?.length) parseChanges(metadata.changes);
  // The patch is checked by applying it to an empty config: each field is validated on its own.
  if (metadata.config !== undefined) applyConfig(EMPTY_CONFIG, metadata.config);
}

/** A config-only edit as its history entry's CREATED BY: the changes, then the fields set. */
export function configEditText(metadata: Pick<StepMetadata, 'changes' | 'config'>): string | undefined {
  const parts = [...(metadata.changes ?? [])];
  if (metadata.config !== undefined) {
    // A field given as `undefined` is kept (applyConfig): it is not one of the fields set.
    const fields = Object.entries(metadata.config).filter(([, value]) => value !== undefined);
    parts.push(`config ${fields.map(([field]) => field).join(', ')}`);
  }
  return parts.length === 0 ? undefined : parts.join('; ');
}

/** The base's execution parameters after `changes`, then the typed `config` patch. */
function changedConfig(base: ImageConfig, metadata: StepMetadata): ImageConfig {
  const changed = metadata.changes?.length ? applyChanges(base, parseChanges(metadata.changes)) : base;
  return metadata.config === undefined ? changed : applyConfig(changed, metadata.config);
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
  const changed = changedConfig(base.config, metadata);
  let config: ImageConfig = base.config;
  const layers: Descriptor[] = [...base.layers];
  for (const step of steps) {
    const history = createHistoryEntry({
      createdBy: step.createdBy,
      author: metadata.author,
      comment: step.comment,
      emptyLayer: step.layer === undefined,
      clock: metadata.clock,
      sourceDateEpoch: metadata.sourceDateEpoch,
    });
    config = childConfig(config, {
      diffID: step.layer?.diffID,
      history,
      author: metadata.author,
      config: changed.config,
    });
    if (step.layer !== undefined) {
      layers.push({ mediaType: step.layer.mediaType, digest: step.layer.digest, size: step.layer.size });
    }
  }
  const hasher = createNativeSha256;
  const configRaw = encodeDocument(config, { hasher });
  const manifestRaw = encodeDocument(imageManifest(configRaw, layers), { hasher });
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
