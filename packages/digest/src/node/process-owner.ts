/**
 * Names that carry the process which owns them: `<pid>.<start>`, the process id and its start
 * time (clock ticks since boot, Linux's /proc/PID/stat field 22). A later process can then tell a
 * dead owner's leftover (a temporary file, a lease, a lock) from one still in use, even after
 * the process id has been reused.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A process's start time in clock ticks since boot (Linux), or undefined where it cannot be read. */
function startTicks(pid: number): number | undefined {
  try {
    // Field 22 of /proc/PID/stat, counted after the command name (which may hold spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

let ownTag: string | undefined;

/** `<pid>.<start ticks>` of this process (start 0 where it cannot be read). */
export function ownerTag(): string {
  ownTag ??= `${process.pid}.${startTicks(process.pid) ?? 0}`;
  return ownTag;
}

/** `<base><infix><pid>.<start>-<random hex>`: a unique name owned by this process. */
export function ownedName(base: string, infix: string): string {
  return `${base}${infix}${ownerTag()}-${randomBytes(6).toString('hex')}`;
}

/**
 * True when the process `pid`, started at `started` ticks, no longer runs: the id is gone, or
 * now belongs to a process started at another time. A process that exists but belongs to another
 * user counts as alive; a start time of 0 (unknown) is checked by the id alone.
 */
export function isDeadOwner(pid: number, started: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const now = startTicks(pid);
  return now !== undefined && started !== 0 && now !== started;
}

/**
 * True when `name` ends in `<infix><pid>.<start>-<hex>` (see {@link ownedName}) and that owner is
 * dead. Names of another shape are never called stale.
 */
export function isStaleOwnedName(name: string, infix: string): boolean {
  const at = name.lastIndexOf(infix);
  if (at < 0) return false;
  const match = /^(\d+)\.(\d+)-[0-9a-f]+$/.exec(name.slice(at + infix.length));
  if (match === null) return false;
  return isDeadOwner(Number(match[1]), Number(match[2]));
}
