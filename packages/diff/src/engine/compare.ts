/**
 * Change detection for one path present in both trees: Docker's `statDifferent` rules
 * (docs/design.md#compat-docker-diff), containerd's content fallback
 * (docs/design.md#compat-change-detection), and byte-level content comparison.
 */
import type { Digest, HasherFactory } from '@layerkit/digest';
import { createPortableSha256 } from '@layerkit/digest';
import type { TreeEntry } from '../contracts.js';
import type { ContentReadCounter } from './diff-stats.js';

/**
 * How a diff decides whether a non-directory changed when only its mtime differs:
 * - `metadata`: Docker's rule; `sameFsTime` (equal, or same second when either side has 0 ns)
 *   means unchanged, any other mtime difference means changed; content is never read.
 * - `auto` (default): containerd's rule widened to Docker's tolerance; where the times agree
 *   to the second and one side was truncated to whole seconds (a tar-extracted tree), metadata
 *   cannot decide, so the contents are compared; any other mtime difference means changed.
 * - `content`: any mtime-only difference of equal-size files is settled by comparing contents,
 *   so a `touch` alone is no change.
 */
export type DetectionMode = 'metadata' | 'auto' | 'content';

/** Which extended attributes count as a change: `security.capability` only (Docker) or all. */
export type XattrComparison = 'capability' | 'all';

/** The verdict of the metadata rules. */
export type MetadataVerdict = 'same' | 'changed' | 'compare-content';

const NS_PER_SECOND = 1_000_000_000n;
const CAPABILITY = 'security.capability';

/** Docker's `sameFsTime`: equal, or the same second when either side has no nanoseconds. */
export function sameFsTime(a: bigint, b: bigint): boolean {
  if (a === b) return true;
  return sameSecondTruncated(a, b);
}

function sameSecondTruncated(a: bigint, b: bigint): boolean {
  return a / NS_PER_SECOND === b / NS_PER_SECOND && (a % NS_PER_SECOND === 0n || b % NS_PER_SECOND === 0n);
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameXattrs(lower: TreeEntry, upper: TreeEntry, which: XattrComparison): boolean {
  if (which === 'capability') return sameBytes(lower.xattrs?.get(CAPABILITY), upper.xattrs?.get(CAPABILITY));
  const a = lower.xattrs ?? new Map<string, Uint8Array>();
  const b = upper.xattrs ?? new Map<string, Uint8Array>();
  if (a.size !== b.size) return false;
  for (const [name, value] of a) if (!sameBytes(value, b.get(name))) return false;
  return true;
}

/**
 * Applies the metadata rules to one path present in both trees. Directories compare type,
 * mode, ids and xattrs only (their own mtime and size are ignored, moby#9874); symlinks and
 * tar hardlinks also compare their target; devices their numbers; non-directories their size
 * and mtime per `mode`.
 */
export function compareMetadata(
  lower: TreeEntry,
  upper: TreeEntry,
  mode: DetectionMode,
  xattrs: XattrComparison,
): MetadataVerdict {
  if (
    lower.type !== upper.type ||
    lower.mode !== upper.mode ||
    lower.uid !== upper.uid ||
    lower.gid !== upper.gid ||
    (lower.devMajor ?? 0) !== (upper.devMajor ?? 0) ||
    (lower.devMinor ?? 0) !== (upper.devMinor ?? 0) ||
    !sameXattrs(lower, upper, xattrs)
  ) {
    return 'changed';
  }
  if (upper.type === 'dir') return 'same';
  if (lower.size !== upper.size || lower.linkTarget !== upper.linkTarget) return 'changed';
  // Equal sub-second mtimes settle it; equal whole seconds may be a tar's truncation of two
  // different times (containerd then compares content), so only `metadata` mode trusts them.
  if (lower.mtimeNs === upper.mtimeNs && lower.mtimeNs % NS_PER_SECOND !== 0n) return 'same';
  switch (mode) {
    case 'metadata':
      return sameFsTime(lower.mtimeNs, upper.mtimeNs) ? 'same' : 'changed';
    case 'auto':
      return sameSecondTruncated(lower.mtimeNs, upper.mtimeNs) ? contentVerdict(upper) : 'changed';
    case 'content':
      return contentVerdict(upper);
  }
}

/** Only regular files have content to read; other types are settled by their metadata. */
function contentVerdict(entry: TreeEntry): MetadataVerdict {
  return entry.type === 'file' ? 'compare-content' : 'same';
}

type ChunkIterator = Iterator<Uint8Array> | AsyncIterator<Uint8Array>;

function open(entry: TreeEntry, counter: ContentReadCounter | undefined): ChunkIterator | undefined {
  const source = entry.content?.();
  if (source === undefined) return undefined;
  if (counter !== undefined) counter.filesRead++;
  return Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
}

/** Reads chunks of one content stream, remembering the unread rest of the current chunk. */
class ChunkCursor {
  #chunk: Uint8Array = new Uint8Array(0);
  #offset = 0;
  #done = false;

  constructor(
    readonly iterator: ChunkIterator,
    readonly counter: ContentReadCounter | undefined,
  ) {}

  /** The unread bytes of the current chunk, reading the next one when it is used up; empty at the end. */
  async current(): Promise<Uint8Array> {
    while (this.#offset >= this.#chunk.length && !this.#done) {
      const step = await this.iterator.next();
      if (step.done) this.#done = true;
      else {
        this.#chunk = step.value;
        this.#offset = 0;
        if (this.counter !== undefined) this.counter.bytesRead += step.value.length;
      }
    }
    return this.#chunk.subarray(this.#offset);
  }

  consume(n: number): void {
    this.#offset += n;
  }
}

/** The sha256 of an entry's content, or undefined when it cannot produce its content. */
async function digestOf(
  entry: TreeEntry,
  hasher: HasherFactory,
  counter: ContentReadCounter | undefined,
): Promise<Digest | undefined> {
  const source = entry.content?.();
  if (source === undefined) return undefined;
  const hash = hasher();
  let bytes = 0;
  // A sync source (the Node directory walk) is hashed without a promise per chunk.
  if (Symbol.asyncIterator in source) {
    for await (const chunk of source) {
      hash.update(chunk);
      bytes += chunk.length;
    }
  } else {
    for (const chunk of source) {
      hash.update(chunk);
      bytes += chunk.length;
    }
  }
  if (counter !== undefined) {
    counter.filesRead++;
    counter.bytesRead += bytes;
  }
  return hash.digest();
}

/**
 * True when two files have the same content: by `contentDigest` when both sides know it; when
 * only one does (a snapshot or merged-view entry), by hashing the other side's content with
 * `hasher` (default: the portable sha256; pass `createNativeSha256` in Node); else by reading
 * both streams side by side (early exit at the first difference). A side that cannot produce its
 * content is never proven equal. `counter`, given, adds the streams opened and the bytes read.
 */
export async function sameContent(
  lower: TreeEntry,
  upper: TreeEntry,
  hasher: HasherFactory = createPortableSha256,
  counter?: ContentReadCounter | undefined,
): Promise<boolean> {
  if (lower.contentDigest !== undefined && upper.contentDigest !== undefined) {
    return lower.contentDigest === upper.contentDigest;
  }
  if (lower.contentDigest !== undefined)
    return (await digestOf(upper, hasher, counter)) === lower.contentDigest;
  if (upper.contentDigest !== undefined)
    return (await digestOf(lower, hasher, counter)) === upper.contentDigest;
  const a = open(lower, counter);
  const b = open(upper, counter);
  try {
    if (a === undefined || b === undefined) return false;
    const left = new ChunkCursor(a, counter);
    const right = new ChunkCursor(b, counter);
    for (;;) {
      const x = await left.current();
      const y = await right.current();
      if (x.length === 0 || y.length === 0) return x.length === y.length;
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) if (x[i] !== y[i]) return false;
      left.consume(n);
      right.consume(n);
    }
  } finally {
    await a?.return?.();
    await b?.return?.();
  }
}
