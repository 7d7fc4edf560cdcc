/**
 * The apply algorithm's file-system surface on a real directory. Paths reach the kernel as raw
 * bytes (latin1 Buffers), so non-UTF-8 names survive. Every call is synchronous except the file
 * body copy: a sync syscall costs ~5 µs, a promise round trip ~40 µs (docs/design.md#perf-sync).
 * No call follows a symlink in the last component: `lstat`, `lchown`, `lutimes`, `O_NOFOLLOW`,
 * chmod only on objects known not to be symlinks (T9, docs/threat-model.md#t9), xattrs via `lsetxattr`.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeSync,
} from 'node:fs';
import { LayerkitError } from '@layerkit/digest';
import { createNativeSha256 } from '@layerkit/digest/node';
import type {
  ApplyTally,
  ApplyTarget,
  EntryMeta,
  OverlayMarkers,
  SpecialType,
} from '../../apply/apply-types.js';
import type { BytePath, EntryType } from '../../contracts.js';
import { asBytePath, pathFromUtf8, pathToUtf8 } from '../../path.js';
import { entryTypeOf } from '../tree/entry-type.js';
import { loadXattrAddon } from '../xattr-addon.js';
import type { WrittenContents } from './written-contents.js';

const CREATE_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const MKNOD_TYPE: Readonly<Record<SpecialType, string>> = { char: 'c', block: 'b', fifo: 'p' };
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Seconds as the double `utimes` takes (sub-microsecond precision is lost, as in every Node API). */
function seconds(mtimeNs: bigint): number {
  return Number(mtimeNs) / 1e9;
}

/** Whether a byte string is valid UTF-8, i.e. survives the string-only xattr binding. */
function isUtf8(bytes: Buffer): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Whether a failed mknod(1) run (in the C locale) was refused for lack of privilege (EPERM). */
function notPermitted(error: unknown): boolean {
  const stderr = (error as { stderr?: Buffer | string }).stderr;
  return stderr?.toString().includes('Operation not permitted') === true;
}

/** Options of a disk target. */
export interface DiskTargetOptions {
  /**
   * Create devices and FIFOs (default: true). Device nodes need root with `CAP_MKNOD`: without
   * it (a non-root process, root in a user namespace) they are skipped and reported, FIFOs are
   * still made. `false` skips both.
   */
  devices?: boolean | undefined;
  /** A failing lchown is an error instead of a tally entry. */
  strictOwnership?: boolean | undefined;
  /** Receives the sha256 of every file written, hashed as its bytes go to disk. */
  writtenContents?: WrittenContents | undefined;
  /** Hold an overlayfs lower layer: give the target overlay markers (`whiteouts: 'overlay'`). */
  overlay?: boolean | undefined;
}

/** The opaque-directory attribute overlayfs reads when mounted with `userxattr` (as layerkit mounts). */
const OVERLAY_OPAQUE = 'user.overlay.opaque';

/** An `ApplyTarget` rooted at a real directory. */
export class DiskTarget implements ApplyTarget {
  readonly specialFiles: boolean;
  /** The root directory's (UTF-8) path, as latin1: one char per byte, like the paths below it. */
  readonly #root: string;
  readonly #tally: ApplyTally;
  readonly #strictOwnership: boolean;
  readonly #written: WrittenContents | undefined;
  /** Set once device nodes are known to be refused (not root, or mknod failed with EPERM): no more tries. */
  #devicesRefused: boolean;
  readonly overlay: OverlayMarkers | undefined;
  /** The first whiteout made: later ones are hard links to it (one mknod per layer; overlayfs shares them too). */
  #whiteout: Buffer | undefined;

  /** `rootDir` must be an existing directory; failures of metadata calls are recorded in `tally`. */
  constructor(rootDir: string, tally: ApplyTally, options: DiskTargetOptions = {}) {
    this.#root = Buffer.from(rootDir, 'utf8').toString('latin1');
    this.#tally = tally;
    this.#strictOwnership = options.strictOwnership === true;
    this.#written = options.writtenContents;
    this.specialFiles = options.devices !== false;
    this.#devicesRefused = process.geteuid?.() !== 0;
    this.overlay =
      options.overlay === true
        ? { makeWhiteout: (p) => this.#makeWhiteout(p), markOpaque: (p) => this.#markOpaque(p) }
        : undefined;
  }

  #abs(path: BytePath): Buffer {
    return Buffer.from(path === '' ? this.#root : `${this.#root}/${path}`, 'latin1');
  }

  kind(path: BytePath): EntryType | undefined {
    const stats = lstatSync(this.#abs(path), { throwIfNoEntry: false });
    return stats === undefined ? undefined : entryTypeOf(stats);
  }

  readlink(path: BytePath): BytePath {
    return asBytePath(readlinkSync(this.#abs(path), { encoding: 'buffer' }).toString('latin1'));
  }

  readdir(path: BytePath): BytePath[] {
    return readdirSync(this.#abs(path), { encoding: 'buffer' }).map((name) =>
      asBytePath(name.toString('latin1')),
    );
  }

  mkdirImplied(path: BytePath): void {
    const abs = this.#abs(path);
    mkdirSync(abs);
    chmodSync(abs, 0o755); // independent of the umask
  }

  remove(path: BytePath): void {
    // rmSync inspects with lstat: a symlink is unlinked, never followed.
    rmSync(this.#abs(path), { recursive: true, force: true });
  }

  makeDir(path: BytePath, meta: EntryMeta, exists: boolean): void {
    const abs = this.#abs(path);
    if (!exists) mkdirSync(abs, 0o700);
    this.#owner(path, () => lchownSync(abs, meta.uid, meta.gid));
    this.#xattrs(path, abs, meta);
    chmodSync(abs, meta.mode);
  }

  async writeFile(path: BytePath, meta: EntryMeta, body: AsyncIterable<Uint8Array>): Promise<void> {
    const abs = this.#abs(path);
    const fd = openSync(abs, CREATE_FILE, 0o600);
    const hash = this.#written === undefined ? undefined : createNativeSha256();
    try {
      for await (const chunk of body) {
        hash?.update(chunk);
        for (let offset = 0; offset < chunk.length; ) offset += writeSync(fd, chunk, offset);
      }
      // chown clears setuid bits and capabilities, so it goes first; the fd is the file we made.
      this.#owner(path, () => fchownSync(fd, meta.uid, meta.gid));
      this.#xattrs(path, abs, meta);
      fchmodSync(fd, meta.mode);
      futimesSync(fd, seconds(meta.mtimeNs), seconds(meta.mtimeNs));
      // Last: the stat it keeps must be the file's final one.
      if (hash !== undefined) this.#written?.record(fd, hash.digest());
    } finally {
      closeSync(fd);
    }
  }

  makeSymlink(path: BytePath, linkTarget: BytePath, meta: EntryMeta): void {
    const abs = this.#abs(path);
    symlinkSync(Buffer.from(linkTarget, 'latin1'), abs);
    this.#owner(path, () => lchownSync(abs, meta.uid, meta.gid));
    this.#xattrs(path, abs, meta);
    lutimesSync(abs, seconds(meta.mtimeNs), seconds(meta.mtimeNs));
  }

  makeHardlink(path: BytePath, existing: BytePath, meta: EntryMeta): void {
    const abs = this.#abs(path);
    // link(2) does not follow a symlink source: a link to a symlink is another name of the symlink.
    linkSync(this.#abs(existing), abs);
    this.#owner(path, () => lchownSync(abs, meta.uid, meta.gid));
    this.#xattrs(path, abs, meta);
    if (this.kind(path) !== 'symlink') chmodSync(abs, meta.mode);
    lutimesSync(abs, seconds(meta.mtimeNs), seconds(meta.mtimeNs));
  }

  makeSpecial(path: BytePath, type: SpecialType, major: number, minor: number, meta: EntryMeta): boolean {
    const device = type !== 'fifo';
    if (device && this.#devicesRefused) return false;
    const abs = this.#abs(path);
    // Node has no mknod: the host's mknod(1) creates it under a plain ASCII name, then it moves.
    const temporary = this.#temporary();
    const numbers = device ? [String(major), String(minor)] : [];
    try {
      execFileSync('mknod', ['-m', '0600', temporary.toString('utf8'), MKNOD_TYPE[type], ...numbers], {
        stdio: 'pipe',
        env: { ...process.env, LC_ALL: 'C' },
      });
    } catch (error) {
      // Root without CAP_MKNOD (a user namespace, a container dropping it): skip every device.
      if (!device || !notPermitted(error)) throw error;
      this.#devicesRefused = true;
      return false;
    }
    renameSync(temporary, abs);
    this.#owner(path, () => lchownSync(abs, meta.uid, meta.gid));
    this.#xattrs(path, abs, meta);
    chmodSync(abs, meta.mode);
    lutimesSync(abs, seconds(meta.mtimeNs), seconds(meta.mtimeNs));
    return true;
  }

  setDirTime(path: BytePath, mtimeNs: bigint): void {
    lutimesSync(this.#abs(path), seconds(mtimeNs), seconds(mtimeNs));
  }

  #makeWhiteout(path: BytePath): void {
    const abs = this.#abs(path);
    const first = this.#whiteout;
    const stats = first === undefined ? undefined : lstatSync(first, { throwIfNoEntry: false });
    if (first !== undefined && stats?.isCharacterDevice() === true && stats.rdev === 0) {
      try {
        linkSync(first, abs);
        return;
      } catch (error) {
        // Past the file system's link limit (ext4: 65,000), the next whiteout starts a new group.
        if ((error as NodeJS.ErrnoException).code !== 'EMLINK') throw error;
      }
    }
    // Unprivileged processes may make a 0:0 character device too (Linux 5.8+): no devicesRefused check.
    const temporary = this.#temporary();
    execFileSync('mknod', ['-m', '0000', temporary.toString('utf8'), 'c', '0', '0'], { stdio: 'pipe' });
    renameSync(temporary, abs);
    this.#whiteout = abs;
  }

  #markOpaque(path: BytePath): void {
    const opaque = new Map([[OVERLAY_OPAQUE, new Uint8Array([0x79])]]);
    // A lower layer without its marker would show what the layer deletes: failing is the only option.
    this.#xattrs(path, this.#abs(path), { uid: 0, gid: 0, mode: 0, mtimeNs: 0n, xattrs: opaque }, true);
  }

  /** A fresh unguessable name directly in the root, for objects first made under an ASCII name. */
  #temporary(): Buffer {
    return this.#abs(pathFromUtf8(`.layerkit-tmp-${randomUUID()}`));
  }

  #owner(path: BytePath, chown: () => void): void {
    try {
      chown();
    } catch (error) {
      if (this.#strictOwnership) {
        throw new LayerkitError(
          'APPLY_OWNERSHIP',
          `cannot set the owner of ${pathToUtf8(path)}`,
          { path },
          { cause: error },
        );
      }
      this.#tally.ownershipFailures++;
    }
  }

  /** Sets `meta.xattrs`; one that fails is dropped and reported, or, when `required`, an error. */
  #xattrs(path: BytePath, abs: Buffer, meta: EntryMeta, required = false): void {
    if (meta.xattrs.size === 0) return;
    // The binding takes strings only: a non-UTF-8 path is visited under a temporary name.
    const detour = isUtf8(abs) ? undefined : this.#temporary();
    if (detour !== undefined) renameSync(abs, detour);
    const addon = loadXattrAddon();
    try {
      const target = (detour ?? abs).toString('utf8');
      for (const [name, value] of meta.xattrs) {
        const utf8Name = Buffer.from(name, 'latin1');
        if (!isUtf8(utf8Name)) {
          this.#tally.droppedXattrs.push({ path, name, reason: 'name is not UTF-8' });
          continue;
        }
        try {
          if (addon instanceof Error) throw addon;
          addon.setAttributeSync(target, utf8Name.toString('utf8'), value);
        } catch (error) {
          if (required) {
            throw new LayerkitError(
              'APPLY_FAILED',
              `cannot set ${name} on ${pathToUtf8(path)} (the file system needs user xattrs)`,
              { path },
              { cause: error },
            );
          }
          this.#tally.droppedXattrs.push({
            path,
            name,
            reason: error instanceof Error ? error.message : String(error),
          });
        }
      }
    } finally {
      if (detour !== undefined) renameSync(detour, abs);
    }
  }
}
