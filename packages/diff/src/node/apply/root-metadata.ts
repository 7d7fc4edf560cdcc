/** What an unpacked root directory looks like: its layers' `./` entry, or 0755 without one. */
import { chmodSync } from 'node:fs';
import { type ApplyTally, type EntryMeta, emptyTally } from '../../apply/apply-types.js';
import { EMPTY_PATH } from '../../path.js';
import type { ApplyOptions } from './apply-layer.js';
import { DiskTarget } from './disk-target.js';

/** The mode of a root no layer describes, as `tar -x`, umoci and Docker leave it. */
const DEFAULT_ROOT_MODE = 0o755;

/**
 * Gives the directory `dir` the owner, allowed xattrs, mode and mtime of `meta` (what an unpack
 * gives a rootfs from its layers' `./` entry), or mode 0755 when `meta` is undefined; an
 * ownership failure is counted in `tally`.
 */
export function setRootMetadata(
  dir: string,
  meta: EntryMeta | undefined,
  tally: ApplyTally = emptyTally(),
  options: Pick<ApplyOptions, 'strictOwnership'> = {},
): void {
  if (meta === undefined) {
    chmodSync(dir, DEFAULT_ROOT_MODE);
    return;
  }
  const target = new DiskTarget(dir, tally, options);
  target.makeDir(EMPTY_PATH, meta, true);
  target.setDirTime(EMPTY_PATH, meta.mtimeNs);
}
