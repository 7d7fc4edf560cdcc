/**
 * The config of an image made on top of another (`docker commit`, `crane append`, a
 * `--change`-only step): the base config with one more history entry and, when the step
 * added a layer, one more DiffID.
 */
import type { Digest } from '@layerkit/digest';
import type { HistoryEntry } from '@layerkit/history';
import type { ContainerConfig, ImageConfig } from '../oci-types.js';
import { alignHistoryWithLayers } from './align-history.js';

/** What one build step adds to its base image's config. */
export interface ChildConfigStep {
  /** The new layer's DiffID; absent for a step without a layer (`empty_layer: true`). */
  diffID?: Digest | undefined;
  /** The step's history entry; its `created` also becomes the config's `created`. */
  history: HistoryEntry;
  /** The image author (`docker commit --author`); absent keeps the base's, as containerd does. */
  author?: string | undefined;
  /** The execution parameters after the step (default: the base's, unchanged). */
  config?: ContainerConfig | undefined;
}

/**
 * Returns the child config of `base` after one step. The base's history is first aligned with
 * its layers (buildkit's repair: one non-empty entry per layer), so that clients which pair
 * history with layers (buildah, `docker history`) accept the result.
 */
export function childConfig(base: ImageConfig, step: ChildConfigStep): ImageConfig {
  const diffIds = [...base.rootfs.diff_ids];
  if (step.diffID !== undefined) diffIds.push(step.diffID);
  const history = alignHistoryWithLayers(base.history ?? [], base.rootfs.diff_ids.length, base.created);
  const entry: HistoryEntry = { ...step.history };
  if (step.diffID === undefined) entry.empty_layer = true;
  else delete entry.empty_layer;
  history.push(entry);

  const child: ImageConfig = { ...base, rootfs: { type: 'layers', diff_ids: diffIds }, history };
  if (entry.created !== undefined) child.created = entry.created;
  const author = step.author ?? base.author;
  if (author) child.author = author;
  const config = step.config ?? base.config;
  if (config !== undefined) child.config = config;
  return child;
}
