/**
 * Build steps, the portable half: what a step records (history, config changes, epoch) and the
 * child's config and manifest documents over a base. Storing and publishing them is the caller's
 * (`publishSteps` in `./node`, `buildImage` here).
 */
import type { HasherFactory, LayerBlob } from '@layerkit/digest';
import { checkSourceDateEpoch } from '@layerkit/digest/internal';
import { createHistoryEntry } from '@layerkit/history';
import { applyChanges, parseChanges } from '../config/config-change.js';
import { applyConfig, type ConfigPatch } from '../config/config-patch.js';
import { encodeDocument, type Raw } from '../json/raw.js';
import type { Descriptor, ImageConfig, ImageManifest } from '../oci-types.js';
import { childConfig } from './child-config.js';
import { imageManifest } from './image-manifest.js';

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

/** One step of a multi-step publish: a layer (or none) and its history entry's text. */
export interface StepLayer {
  layer: LayerBlob | undefined;
  createdBy?: string | undefined;
  comment?: string | undefined;
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
 * The child of a base (its config and layers) with one history entry per step (a DiffID for
 * each step with a layer) and the config changes applied: its config and manifest, encoded.
 */
export function childDocuments(
  base: { config: ImageConfig; layers: readonly Descriptor[] },
  steps: readonly StepLayer[],
  metadata: StepMetadata,
  hasher: HasherFactory,
): { config: Raw<ImageConfig>; manifest: Raw<ImageManifest> } {
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
  const configRaw = encodeDocument(config, { hasher });
  return { config: configRaw, manifest: encodeDocument(imageManifest(configRaw, layers), { hasher }) };
}
