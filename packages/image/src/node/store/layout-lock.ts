/**
 * A cross-process lock for one OCI layout's `index.json`: a lock file (`index.json.lock`) that
 * appears whole, holding `<pid>.<start> <token>` (its process and that process's start time, see
 * process-owner.ts in digest). A lock whose process is gone (or whose pid now names a process
 * started later) is stale and is broken; breaking renames it aside first, so two breakers cannot
 * both win.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isLayerkitError, LayerkitError } from '@layerkit/digest';
import {
  fileSystemError,
  isDeadOwner,
  ownerTag,
  readRegularFile,
  temporaryPath,
  writeFully,
} from '@layerkit/digest/internal/node';

/** The lock file's name inside the layout directory. */
export const LAYOUT_LOCK_NAME = 'index.json.lock';

/** Options for {@link withLayoutLock}. */
export interface LayoutLockOptions {
  /** How long to wait for a live holder before failing with `LOCK_TIMEOUT` (default 30 s). */
  timeoutMs?: number | undefined;
}

// A lock file with no owner in it (not written by this version) is only trusted this long.
const UNWRITTEN_LOCK_GRACE_MS = 5_000;

/** Runs `action` while holding the layout's lock; the lock is released however `action` ends. */
export async function withLayoutLock<T>(
  layoutDir: string,
  action: () => Promise<T>,
  options: LayoutLockOptions = {},
): Promise<T> {
  const lockPath = join(layoutDir, LAYOUT_LOCK_NAME);
  const token = `${ownerTag()} ${randomBytes(8).toString('hex')}\n`;
  await acquire(lockPath, token, options.timeoutMs ?? 30_000);
  try {
    return await action();
  } finally {
    release(lockPath, token);
  }
}

async function acquire(lockPath: string, token: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(lockPath, token)) return;
    const holder = readHolder(lockPath);
    if (holder !== undefined && isStale(lockPath, holder)) {
      breakStaleLock(lockPath, holder);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new LayerkitError('LOCK_TIMEOUT', `timed out waiting for the layout lock ${lockPath}`, {
        path: lockPath,
        holder,
      });
    }
    await sleep(Math.min(5 * 2 ** Math.min(attempt, 5), 100));
  }
}

/**
 * Creates the lock file holding `token`, or returns false when it exists. The token is written to
 * an owned temporary file first and hard-linked into place whole, so an empty or half-written
 * lock file never exists, whatever fails (ENOSPC) or kills the process meanwhile; where the file
 * system has no hard links, an `O_EXCL` create whose failed write removes the file it made.
 */
function tryCreate(lockPath: string, token: string): boolean {
  const temporary = temporaryPath(lockPath);
  let linked: boolean | undefined;
  try {
    writeFileSync(temporary, token, { flag: 'wx', mode: 0o644 });
    linkSync(temporary, lockPath);
    linked = true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') linked = false;
    else if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') {
      throw fileSystemError(lockPath, error, 'taking the layout lock');
    }
  } finally {
    rmSync(temporary, { force: true });
  }
  return linked ?? createExclusive(lockPath, token);
}

/** The lock without a hard link: create, write, and remove the file again if the write fails. */
function createExclusive(lockPath: string, token: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw fileSystemError(lockPath, error, 'taking the layout lock');
  }
  try {
    writeFully(fd, new TextEncoder().encode(token));
  } catch (error) {
    rmSync(lockPath, { force: true });
    throw fileSystemError(lockPath, error, 'taking the layout lock');
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * The lock file's content, or undefined when it vanished meanwhile. A FIFO or device planted as
 * the lock is `NOT_A_REGULAR_FILE`, never a hang.
 */
function readHolder(lockPath: string): string | undefined {
  try {
    return decoder.decode(readRegularFile(lockPath));
  } catch (error) {
    if (isLayerkitError(error, 'FILE_NOT_FOUND')) return undefined;
    throw error;
  }
}

const decoder = new TextDecoder();

function isStale(lockPath: string, holder: string): boolean {
  // `<pid>.<start> <random>` (`<pid> <random>` from older versions: the start time unknown).
  const owner = /^(\d+)(?:\.(\d+))? /.exec(holder);
  const pid = Number(owner?.[1]);
  if (owner === null || !Number.isSafeInteger(pid) || pid <= 0) {
    try {
      return Date.now() - statSync(lockPath).mtimeMs > UNWRITTEN_LOCK_GRACE_MS;
    } catch {
      return false;
    }
  }
  return isDeadOwner(pid, Number(owner[2] ?? 0));
}

/**
 * Moves the stale lock aside, then checks it really is the one judged stale; if a live
 * writer re-created the lock in between, its lock is linked back into place.
 */
function breakStaleLock(lockPath: string, staleHolder: string): void {
  // Owned, so a breaker killed right here leaves a temporary file the next gc removes.
  const aside = temporaryPath(lockPath);
  try {
    renameSync(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (readHolder(aside) !== staleHolder) {
    try {
      linkSync(aside, lockPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  rmSync(aside, { force: true });
}

function release(lockPath: string, token: string): void {
  if (readHolder(lockPath) === token) rmSync(lockPath, { force: true });
}
