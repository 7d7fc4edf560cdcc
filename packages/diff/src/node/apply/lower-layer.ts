/**
 * One layer extracted on its own as an overlayfs lower layer (docs/design.md#mounted-images): the
 * secure apply of `applyLayer` with whiteouts written as markers instead of performed, into a
 * new private directory whose root gets the layer's `./` metadata.
 */
import { mkdirSync } from 'node:fs';
import { type ApplyOptions, type ApplyReport, applyLayer } from './apply-layer.js';
import { setRootMetadata } from './root-metadata.js';

/** Options of {@link extractLowerLayer}: those of `applyLayer` but the whiteout mode. */
export type LowerLayerOptions = Omit<ApplyOptions, 'whiteouts' | 'writtenContents'>;

/**
 * Extracts `tar` into the new directory `dir` (its parent must be private to this process, T15)
 * as an overlayfs lower layer: a whiteout becomes a 0:0 character device, an opaque marker
 * `user.overlay.opaque=y` (overlayfs mounted with `userxattr` reads them), and nothing is removed.
 * Every check of `applyLayer` holds (T1–T28), the DiffID included when `expectedDiffID` is given.
 * The root gets the layer's `./` metadata when it has one (also in the report's `root`).
 */
export async function extractLowerLayer(
  dir: string,
  tar: AsyncIterable<Uint8Array>,
  options: LowerLayerOptions = {},
): Promise<ApplyReport> {
  mkdirSync(dir, 0o700);
  const report = await applyLayer(dir, tar, { ...options, whiteouts: 'overlay' });
  setRootMetadata(dir, report.root, report, options);
  return report;
}
