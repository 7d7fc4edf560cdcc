/**
 * Snapshot files on disk: record one after an unpack, stream it back as records or as the
 * lower tree of a later diff.
 */
import { closeSync, readSync } from 'node:fs';
import { LayerkitError } from '@layerkit/digest';
import { AtomicFileWriter, openRegularFile } from '@layerkit/digest/internal/node';
import { snapshotRecordOf } from '../../snapshot/snapshot-entry.js';
import {
  decodeSnapshot,
  parseSnapshotHeader,
  SnapshotChunks,
  type SnapshotRecord,
  type SnapshotVersion,
} from '../../snapshot/snapshot-format.js';
import { type SnapshotTree, snapshotTree } from '../../snapshot/snapshot-tree.js';
import type { WrittenContents } from '../apply/written-contents.js';
import { directoryTree } from '../tree/dir-tree.js';
import { readChunks } from '../tree/read-chunks.js';
import { ContentDigests } from './content-digests.js';

const READ_CHUNK = 64 * 1024;

/**
 * Walks `rootDir` and writes a version-2 snapshot of it to `file` (atomically: a temporary file
 * renamed into place): every entry's lstat facts, metadata, `security.capability`, and the
 * sha256 of every regular file (read right after its lstat, so a write racing the recording
 * moves the ctime past the record, and one that changes the file's size or type fails it;
 * hardlinks hashed once; none for a file the permissions keep from being read, which a later diff
 * then reports changed once its stat moves). A file whose digest `written` holds (an unpack
 * hashed it while writing it) is not read again. The file is written in chunks of about 64 KiB,
 * so memory does not grow with the tree. Returns the number of records written.
 */
export function recordSnapshot(
  rootDir: string | Uint8Array,
  file: string,
  written?: WrittenContents,
): number {
  const root = Buffer.from(rootDir);
  const contents = new ContentDigests(root, written);
  const writer = new AtomicFileWriter(file, 0o600);
  let count = 0;
  try {
    const chunks = new SnapshotChunks();
    for (const entry of directoryTree(root).entriesSync()) {
      if (entry.type === 'file') {
        const digest = contents.digest(entry);
        if (digest !== undefined) entry.contentDigest = digest;
      }
      const chunk = chunks.add(snapshotRecordOf(entry));
      if (chunk !== undefined) writer.write(chunk);
      count++;
    }
    writer.write(chunks.end());
    writer.commit();
  } catch (error) {
    writer.abort();
    throw error;
  }
  return count;
}

function* fileChunks(file: string): Generator<Uint8Array> {
  const { fd } = openRegularFile(file, { followSymlinks: true });
  try {
    yield* readChunks(fd, Buffer.allocUnsafe(READ_CHUNK));
  } finally {
    closeSync(fd);
  }
}

/**
 * Streams the records of a snapshot file of either version (validated, in order), reading
 * 64 KiB at a time; e.g. for `snapshotLookup` beside a lower tree.
 */
export function readSnapshot(file: string): Generator<SnapshotRecord> {
  return decodeSnapshot(fileChunks(file));
}

const LONGEST_HEADER = 32;

/**
 * The format version of a snapshot file, from its header line (read now, not lazily), e.g. to
 * choose between `readSnapshotTree` (2) and `snapshotLookup(readSnapshot(file))` beside the
 * image's merged view (1). `SNAPSHOT_INVALID` when the file is not a snapshot.
 */
export function snapshotFileVersion(file: string): SnapshotVersion {
  const { fd } = openRegularFile(file, { followSymlinks: true });
  try {
    const head = Buffer.alloc(LONGEST_HEADER);
    const text = head.toString('latin1', 0, readSync(fd, head, 0, head.length, 0));
    const newline = text.indexOf('\n');
    return parseSnapshotHeader(newline < 0 ? text : text.slice(0, newline));
  } finally {
    closeSync(fd);
  }
}

/**
 * The lower tree recorded in a version-2 snapshot file (see `snapshotTree`): diff it against the
 * unpacked directory with `diffTrees(readSnapshotTree(file), directoryTree(dir))`. The header is
 * checked now: a version-1 file throws `SNAPSHOT_VERSION` (use `snapshotLookup(readSnapshot(file))`
 * beside the image's merged view instead). Each walk of the tree reads the file again.
 */
export function readSnapshotTree(file: string): SnapshotTree {
  const version = snapshotFileVersion(file);
  if (version !== 2) {
    throw new LayerkitError(
      'SNAPSHOT_VERSION',
      `snapshot ${file} is version ${version}: it holds no entry metadata to serve as a lower tree`,
      { file, version },
    );
  }
  return snapshotTree({ [Symbol.iterator]: () => readSnapshot(file) });
}
