/**
 * A cross-process lock for one OCI layout's `index.json`: an `O_EXCL` lock file
 * (`index.json.lock`) holding `<pid> <token>`. A lock whose process is gone is stale and is
 * broken; breaking renames it aside first, so two breakers cannot both win.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LayerkitError } from '@layerkit/digest';

/** The lock file's name inside the layout directory. */
export const LAYOUT_LOCK_NAME = 'index.json.lock';

/** Options for {@link withLayoutLock}. */
export interface LayoutLockOptions {
  /** How long to wait for a live holder before failing with `LOCK_TIMEOUT` (default 30 s). */
  timeoutMs?: number | undefined;
}

// A lock file with no PID yet is only trusted this long (its creator may be between open and write).
const UNWRITTEN_LOCK_GRACE_MS = 5_000;

/** Runs `action` while holding the layout's lock; the lock is released however `action` ends. */
export async function withLayoutLock<T>(
  layoutDir: string,
  action: () => Promise<T>,
  options: LayoutLockOptions = {},
): Promise<T> {
  const lockPath = join(layoutDir, LAYOUT_LOCK_NAME);
  const token = `${process.pid} ${randomBytes(8).toString('hex')}\n`;
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

function tryCreate(lockPath: string, token: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, token);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The lock file's content, or undefined when it vanished meanwhile. */
function readHolder(lockPath: string): string | undefined {
  try {
    return readFileSync(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isStale(lockPath: string, holder: string): boolean {
  const pid = Number.parseInt(holder, 10);
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    try {
      return Date.now() - statSync(lockPath).mtimeMs > UNWRITTEN_LOCK_GRACE_MS;
    } catch {
      return false;
    }
  }
  return !isProcessAlive(pid);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Moves the stale lock aside, then checks it really is the one judged stale; if a live
 * writer re-created the lock in between, its lock is linked back into place.
 */
function breakStaleLock(lockPath: string, staleHolder: string): void {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
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
