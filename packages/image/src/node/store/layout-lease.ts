/**
 * Leases: how a writer of an OCI layout keeps `gc` off the blobs it has stored or found but not
 * yet tagged. A layout sink owns one lease file in the layout root,
 * `index.json.lease-<pid>.<start>-<hex>` (named after its process, see process-owner.ts in
 * digest), and appends every digest to it BEFORE it relies on that blob (a `has` that lets a copy
 * skip it, a write that may keep an existing copy, a `put`). `gc` honours the digests of every live
 * lease and removes the leases of dead writers.
 *
 * Why that is enough, with `gc`'s side in `gcLayout`: gc moves each unreferenced blob aside first,
 * then reads the leases, and puts back what a lease names. A digest leased before that read is
 * put back; one leased after it was already aside when the writer looked, so the writer stored
 * its own copy. Either way the blob is in place when the writer publishes (under the lock).
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Digest, isDigest } from '@layerkit/digest';
import { isStaleOwnedName, ownedName, type StaleTemporary, writeFully } from '@layerkit/digest/internal/node';

/** The infix of a lease file's name (`index.json.lease-<pid>.<start>-<hex>`). */
const LEASE_INFIX = '.lease-';
const LEASE_BASE = 'index.json';
const encoder = new TextEncoder();

/** One writer's lease on a layout's blobs; `release` when the writer is done. */
export class LayoutLease {
  /** The lease file. */
  readonly path: string;
  #fd: number | undefined;
  readonly #held = new Set<Digest>();

  /** Creates the lease file in the layout directory `dir`. */
  constructor(dir: string) {
    this.path = ownedName(join(dir, LEASE_BASE), LEASE_INFIX);
    this.#fd = openSync(this.path, 'wx', 0o644);
  }

  /**
   * Records `digest` in the lease (once); call it before relying on the blob being present.
   * After `release` it records nothing.
   */
  retain(digest: Digest): void {
    if (this.#fd === undefined || this.#held.has(digest)) return;
    writeFully(this.#fd, encoder.encode(`${digest}\n`));
    this.#held.add(digest);
  }

  /** Closes and removes the lease file; safe to call twice. */
  release(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
    rmSync(this.path, { force: true });
  }
}

/** What the leases of a layout hold: the digests of live writers, and the dead writers' lease files removed. */
export interface LeasedDigests {
  /** Every digest a live writer's lease names. */
  readonly digests: ReadonlySet<Digest>;
  /** How many live writers hold a lease. */
  readonly writers: number;
  /** The lease files of dead writers, removed. */
  readonly removed: readonly StaleTemporary[];
}

/** A lease file's bytes; undefined when it vanished or is no regular file (never followed, never blocking). */
function readLeaseFile(path: string): Uint8Array | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP') return undefined; // released meanwhile, or a symlink
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return undefined;
    const bytes = new Uint8Array(stat.size);
    return bytes.subarray(0, readSync(fd, bytes, 0, bytes.length, 0));
  } finally {
    closeSync(fd);
  }
}

/** Reads the leases in the layout directory `dir`: the live ones' digests; dead ones are removed. */
export function readLeases(dir: string): LeasedDigests {
  const digests = new Set<Digest>();
  const removed: StaleTemporary[] = [];
  let writers = 0;
  const prefix = `${LEASE_BASE}${LEASE_INFIX}`;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    const path = join(dir, name);
    const lease = readLeaseFile(path);
    if (lease === undefined) continue;
    if (isStaleOwnedName(name, LEASE_INFIX)) {
      rmSync(path, { force: true });
      removed.push({ path, size: lease.length });
      continue;
    }
    writers++;
    // A line still being appended is not a digest yet: its blob is not relied on yet either.
    for (const line of new TextDecoder().decode(lease).split('\n')) if (isDigest(line)) digests.add(line);
  }
  return { digests, writers, removed };
}
