import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeOctalEscapes } from './octal-escapes.js';
import { requireTool } from './tools.js';

/** Creates a private temp directory for one client (its store, sockets, logs). */
export function makeScratchDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `layerkit-interop-${label}-`));
}

/** Mount points at or below `dir`, deepest first. */
function mountsBelow(dir: string): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => decodeOctalEscapes(line.split(' ')[1] ?? ''))
    .filter((mountPoint) => mountPoint === dir || mountPoint.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/**
 * Removes a scratch directory, lazily unmounting anything a daemon left mounted inside it
 * first (rm would otherwise fail with EBUSY or, worse, descend into a bind mount).
 */
export function removeScratchDir(dir: string): void {
  if (!existsSync(dir)) return;
  const mounts = mountsBelow(dir);
  if (mounts.length > 0) {
    const umount = requireTool('umount');
    for (const mountPoint of mounts) spawnSync(umount, ['-l', mountPoint], { stdio: 'ignore' });
  }
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
