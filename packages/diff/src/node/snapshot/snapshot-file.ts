/**
 * Snapshot files on disk: record one after an unpack, stream one back for a diff.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import {
  decodeSnapshot,
  SNAPSHOT_HEADER,
  SnapshotEncoder,
  type SnapshotRecord,
} from '../../snapshot/snapshot-format.js';
import { directoryTree } from '../tree/dir-tree.js';
import { readChunks } from '../tree/read-chunks.js';

const FLUSH_CHARS = 64 * 1024;
const READ_CHUNK = 64 * 1024;

/**
 * Walks `rootDir` and writes the stat facts of every entry to `file` (atomically: a temporary
 * file renamed into place). Returns the number of records written.
 */
export function recordSnapshot(rootDir: string | Uint8Array, file: string): number {
  const temporary = `${file}.tmp-${process.pid}`;
  const fd = openSync(temporary, 'w', 0o600);
  let count = 0;
  try {
    const encoder = new SnapshotEncoder();
    let pending = SNAPSHOT_HEADER;
    for (const entry of directoryTree(rootDir, { xattrs: 'none' }).entriesSync()) {
      pending += encoder.encode({ path: entry.path, ...entry.stat! });
      count++;
      if (pending.length >= FLUSH_CHARS) {
        writeSync(fd, pending, null, 'latin1');
        pending = '';
      }
    }
    writeSync(fd, pending, null, 'latin1');
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, file);
  return count;
}

function* fileChunks(file: string): Generator<Uint8Array> {
  const fd = openSync(file, 'r');
  try {
    yield* readChunks(fd, Buffer.allocUnsafe(READ_CHUNK));
  } finally {
    closeSync(fd);
  }
}

/**
 * Streams the records of a snapshot file (validated, in order), reading 64 KiB at a time;
 * pass them to `snapshotLookup` for `diffTrees`' `snapshot` option.
 */
export function readSnapshot(file: string): Generator<SnapshotRecord> {
  return decodeSnapshot(fileChunks(file));
}
