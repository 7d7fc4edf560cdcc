/**
 * A sandbox for hostile applies: `<parent>/root` is the apply target, and `<parent>` also holds
 * victims (files, directories, a fake `etc`) an escaping write would hit. `outsideChanged()`
 * compares everything under `<parent>` except `root` (paths, types, modes, owners, link counts,
 * mtimes, link targets, content hashes, extended attributes) with the state when the sandbox was
 * made.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../../fixtures/scratch.js';

/** A sandbox directory pair. */
export interface Sandbox {
  /** Holds `root` and the victims. */
  parent: string;
  /** The directory layers are applied to. */
  root: string;
  /** Differences outside `root` since creation, as readable lines (empty: nothing changed). */
  outsideChanged(): string[];
  remove(): void;
}

/** Every extended attribute below `dir` (any namespace, links not followed), as getfattr dumps them. */
function xattrDump(dir: string): string {
  return execFileSync(
    'getfattr',
    [
      '--absolute-names',
      '--recursive',
      '--physical',
      '--no-dereference',
      '--dump',
      '--match=-',
      '--encoding=hex',
      dir,
    ],
    {
      encoding: 'latin1',
    },
  );
}

/**
 * `path → description` for every object below `dir` (excluding `dir/<skip>`), never following
 * links; the key `''` also carries every extended attribute outside `skip`.
 */
export function describeTree(dir: string, skip?: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (relative: Buffer) => {
    const absolute = Buffer.concat([Buffer.from(dir), Buffer.from('/'), relative]);
    const stats = lstatSync(absolute, { bigint: true });
    let detail = '';
    if (stats.isFile()) detail = createHash('sha256').update(readFileSync(absolute)).digest('hex');
    else if (stats.isSymbolicLink())
      detail = readlinkSync(absolute, { encoding: 'buffer' }).toString('latin1');
    out.set(
      relative.toString('latin1'),
      `mode=${stats.mode.toString(8)} uid=${stats.uid} gid=${stats.gid} nlink=${stats.nlink} mtime=${stats.mtimeNs} ${detail}`,
    );
    if (!stats.isDirectory()) return;
    for (const child of readdirSync(absolute, { encoding: 'buffer' })) {
      if (relative.length === 0 && child.toString('latin1') === skip) continue;
      visit(relative.length === 0 ? child : Buffer.concat([relative, Buffer.from('/'), child]));
    }
  };
  visit(Buffer.alloc(0));
  const skipped = skip === undefined ? undefined : `# file: ${join(dir, skip)}`;
  const xattrs = xattrDump(dir)
    .split('\n\n')
    .filter(
      (block) =>
        skipped === undefined || !(block.startsWith(`${skipped}\n`) || block.startsWith(`${skipped}/`)),
    );
  out.set('', `${out.get('')} xattrs=${JSON.stringify(xattrs)}`);
  return out;
}

function differences(before: Map<string, string>, after: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const [path, description] of after) {
    const old = before.get(path);
    if (old === undefined) lines.push(`added ${path}: ${description}`);
    else if (old !== description) lines.push(`changed ${path}: ${old} -> ${description}`);
  }
  for (const path of before.keys()) if (!after.has(path)) lines.push(`removed ${path}`);
  return lines;
}

/** Makes a sandbox in a fresh scratch directory. */
export function createSandbox(): Sandbox {
  const scratch = scratchDir('hostile');
  const parent = scratch.path;
  chmodSync(parent, 0o700);
  const root = join(parent, 'root');
  mkdirSync(root);
  for (const dir of ['etc', 'tmp/outside', 'victim-dir']) mkdirSync(join(parent, dir), { recursive: true });
  writeFileSync(join(parent, 'victim.txt'), 'victim\n');
  writeFileSync(join(parent, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
  writeFileSync(join(parent, 'etc/hostname'), 'host\n');
  writeFileSync(join(parent, 'victim-dir/keep.txt'), 'keep\n');
  const before = describeTree(parent, 'root');
  return {
    parent,
    root,
    outsideChanged: () => differences(before, describeTree(parent, 'root')),
    remove: () => scratch.remove(),
  };
}
