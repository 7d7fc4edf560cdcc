/**
 * One layer extracted on its own as an overlayfs lower layer (docs/design.md#mounted-images): the
 * secure apply of `applyLayer` with whiteouts written as markers instead of performed, into a
 * new private directory whose root gets the layer's `./` metadata.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { type ApplyTally, type EntryMeta, emptyTally } from '../../apply/apply-types.js';
import { EMPTY_PATH } from '../../path.js';
import { type ApplyOptions, type ApplyReport, applyLayer } from './apply-layer.js';
import { DiskTarget } from './disk-target.js';

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
  if (report.root !== undefined) setRootMetadata(dir, report.root, report, options);
  else chmodSync(dir, 0o755);
  return report;
}

/**
 * Gives the directory `dir` the owner, allowed xattrs, mode and mtime of `meta` (what an unpack
 * gives a rootfs from its layers' `./` entry); an ownership failure is counted in `tally`.
 */
export function setRootMetadata(
  dir: string,
  meta: EntryMeta,
  tally: ApplyTally = emptyTally(),
  options: Pick<ApplyOptions, 'strictOwnership'> = {},
): void {
  const target = new DiskTarget(dir, tally, options);
  target.makeDir(EMPTY_PATH, meta, true);
  target.setDirTime(EMPTY_PATH, meta.mtimeNs);
}
