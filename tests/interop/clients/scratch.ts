/**
 * The interop suite's scratch directories: `tests/fixtures/scratch.ts` directories named
 * `<tmpdir>/layerkit-interop-<label>-XXXXXX` whose removal first lazily unmounts anything a
 * daemon left mounted inside (rm would otherwise fail with EBUSY or, worse, descend into a bind
 * mount).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type ScratchDir, scratchDir, useScratchDir } from '../../fixtures/scratch.js';
import { decodeOctalEscapes } from './octal-escapes.js';
import { requireTool } from './tools.js';

/** Mount points at or below `dir`, deepest first. */
function mountsBelow(dir: string): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => decodeOctalEscapes(line.split(' ')[1] ?? ''))
    .filter((mountPoint) => mountPoint === dir || mountPoint.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Lazily unmounts every mount point at or below `dir`. */
function unmountBelow(dir: string): void {
  const mounts = mountsBelow(dir);
  if (mounts.length === 0) return;
  const umount = requireTool('umount');
  for (const mountPoint of mounts) spawnSync(umount, ['-l', mountPoint], { stdio: 'ignore' });
}

/** A private temp directory for one client (its store, sockets, logs); `remove()` unmounts first. */
export function interopScratchDir(label: string): ScratchDir {
  return scratchDir(`interop-${label}`, { beforeRemove: unmountBelow });
}

/** The same for a test file: made before its tests, removed (mounts first) after them. */
export function useInteropScratchDir(label: string): Pick<ScratchDir, 'path'> {
  return useScratchDir(`interop-${label}`, { beforeRemove: unmountBelow });
}
