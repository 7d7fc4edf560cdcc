/**
 * Tree entries ⇄ version-2 snapshot records: what is recorded of an on-disk entry, and the
 * lower-tree entry a record stands for.
 */
import { LayerkitError } from '@layerkit/digest';
import type { TreeEntry } from '../contracts.js';
import { snapshotError } from './snapshot-fields.js';
import type { SnapshotMetadata, SnapshotRecord } from './snapshot-format.js';

const CAPABILITY = 'security.capability';

/** The optional fields a tree entry and a record's metadata share, with the same meaning. */
type SharedFields = Pick<
  SnapshotMetadata,
  'contentDigest' | 'linkTarget' | 'devMajor' | 'devMinor' | 'linkKey'
>;

/**
 * Copies the shared fields `from` defines (absent stays absent, never `undefined`), one by one:
 * it runs for every entry of a snapshot diff, where a loop over the names was a keyed lookup each.
 */
function copyShared(from: SharedFields, to: SharedFields): void {
  if (from.contentDigest !== undefined) to.contentDigest = from.contentDigest;
  if (from.linkTarget !== undefined) to.linkTarget = from.linkTarget;
  if (from.devMajor !== undefined) to.devMajor = from.devMajor;
  if (from.devMinor !== undefined) to.devMinor = from.devMinor;
  if (from.linkKey !== undefined) to.linkKey = from.linkKey;
}

/**
 * The record of an entry that carries its `stat` (an on-disk entry, e.g. from `directoryTree`):
 * its metadata, `contentDigest` (set it first for files) and only the `security.capability`
 * xattr. Its `mtimeNs` and (for files) `size` are the stat's.
 */
export function snapshotRecordOf(entry: TreeEntry): SnapshotRecord {
  const { stat } = entry;
  if (stat === undefined) {
    throw snapshotError(`cannot record ${JSON.stringify(entry.path)}: the entry has no stat`, {
      path: entry.path,
    });
  }
  const metadata: SnapshotMetadata = { type: entry.type, mode: entry.mode, uid: entry.uid, gid: entry.gid };
  copyShared(entry, metadata);
  const capability = entry.xattrs?.get(CAPABILITY);
  if (capability !== undefined) metadata.capability = capability;
  const { dev, ino, ctimeNs, mtimeNs, size } = stat;
  return { path: entry.path, dev, ino, ctimeNs, mtimeNs, size, metadata };
}

/**
 * The lower-tree entry a version-2 record stands for: its metadata, `mtimeNs` and (files)
 * `size` from the stat, the recorded `stat` itself, `contentDigest`, and no `content` (the bytes
 * are not kept). A version-1 record has no metadata: `SNAPSHOT_VERSION`.
 */
export function snapshotEntryOf(record: SnapshotRecord): TreeEntry {
  const meta = record.metadata;
  if (meta === undefined) {
    throw new LayerkitError(
      'SNAPSHOT_VERSION',
      `snapshot record ${JSON.stringify(record.path)} has no entry metadata (a version-1 snapshot)`,
      { path: record.path },
    );
  }
  const { path, dev, ino, ctimeNs, mtimeNs, size } = record;
  const entry: TreeEntry = {
    path,
    type: meta.type,
    mode: meta.mode,
    uid: meta.uid,
    gid: meta.gid,
    size: meta.type === 'file' ? Number(size) : 0,
    mtimeNs,
    stat: { dev, ino, ctimeNs, mtimeNs, size },
  };
  copyShared(meta, entry);
  if (meta.capability !== undefined) entry.xattrs = new Map([[CAPABILITY, meta.capability]]);
  return entry;
}
