/**
 * `unpackImageLayers`: an image's layers → a complete rootfs plus its snapshot, or nothing. The
 * work happens in a private (0700) directory beside the destination, and the finished rootfs is
 * renamed into place last, so a failure never leaves a rootfs that looks complete. Its root
 * directory gets the layers' `./` metadata (or 0755) while still inside the private directory.
 * The work directory is named after its process (`.<name>.unpack-<pid>.<start>-<hex>`): one a
 * `kill -9` left behind is removed by the next unpack into the same destination.
 */
import { chmodSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type Digest, isLayerkitError, LayerkitError } from '@layerkit/digest';
import { fileSystemError, ownedName, removeStaleTemporariesOf } from '@layerkit/digest/internal/node';
import { recordSnapshot } from '../snapshot/snapshot-file.js';
import { type ApplyOptions, type ApplyReport, applyLayer } from './apply-layer.js';
import { setRootMetadata } from './root-metadata.js';
import { type UnpackLayout, unpackLayout } from './unpack-layout.js';
import { WrittenContents } from './written-contents.js';

/** The infix of an unpack's work directory beside the destination. */
const UNPACK_INFIX = '.unpack-';

/** One layer to unpack: its (maybe compressed) bytes and the DiffID the image config lists. */
export interface UnpackLayer {
  /** Opens the layer blob (plain tar, gzip or zstd: detected from its bytes); called once. */
  open(): AsyncIterable<Uint8Array>;
  /** The sha256 of the uncompressed tar; the unpack fails with `DIFFID_MISMATCH` when it differs. */
  diffID: Digest;
}

/** Options of `unpackImageLayers`: those of `applyLayer`, applied to every layer. */
export type UnpackOptions = Omit<ApplyOptions, 'expectedDiffID' | 'layerName' | 'writtenContents'>;

/** What `unpackImageLayers` produced. */
export interface UnpackResult extends UnpackLayout {
  /** One report per layer, bottom first. */
  reports: ApplyReport[];
  /** Entries recorded in the snapshot. */
  snapshotEntries: number;
}

/** Rethrows a layer's failure naming the layer (index and DiffID), keeping its code. */
function inLayer(error: unknown, index: number, diffID: Digest): never {
  // The layer stream's own errors (DiffID, decompression, caps) already name it.
  if (!isLayerkitError(error) || error.details.layer !== undefined) throw error;
  throw new LayerkitError(
    error.code,
    `layer ${index} (${diffID}): ${error.message}`,
    { ...error.details, layer: index, diffID },
    { cause: error },
  );
}

/**
 * Unpacks `layers` (bottom first) into a new rootfs at `rootDir` (which must not exist), verifying
 * each DiffID, and records the snapshot of the result beside it (see `unpackLayout`). Errors name
 * the layer index and DiffID; after any error neither the rootfs nor its metadata exist.
 */
export async function unpackImageLayers(
  rootDir: string,
  layers: UnpackLayer[],
  options: UnpackOptions = {},
): Promise<UnpackResult> {
  const layout = unpackLayout(rootDir);
  if (statSync(layout.rootfs, { throwIfNoEntry: false }) !== undefined) {
    throw new LayerkitError('ROOTFS_EXISTS', `${layout.rootfs} already exists`, { path: layout.rootfs });
  }
  const work = makeWorkDirectory(layout.rootfs);
  try {
    // T15 (docs/threat-model.md#t15): setuid files and devices stay unreachable for other users meanwhile
    chmodSync(work, 0o700);
    const rootfs = join(work, 'rootfs');
    const metadata = join(work, 'metadata');
    mkdirSync(rootfs, 0o700);
    mkdirSync(metadata, 0o700);
    const reports: ApplyReport[] = [];
    // Hashed while written, so the snapshot reads back only what it cannot prove unchanged.
    const writtenContents = new WrittenContents();
    for (const [index, layer] of layers.entries()) {
      const layerName = `layer ${index} (${layer.diffID})`;
      const report = await applyLayer(rootfs, layer.open(), {
        ...options,
        expectedDiffID: layer.diffID,
        layerName,
        writtenContents,
      }).catch((error: unknown) => inLayer(error, index, layer.diffID));
      reports.push(report);
    }
    // The topmost layer's `./` entry wins; `rootfs` is still inside the private work directory,
    // so nobody else can reach it before it is renamed into place (T15).
    const top = reports.findLast((r) => r.root !== undefined);
    setRootMetadata(rootfs, top?.root, top, options);
    const snapshotEntries = recordSnapshot(
      rootfs,
      join(metadata, basename(layout.snapshotFile)),
      writtenContents,
    );
    // The metadata first, the rootfs last: a rootfs only ever appears complete.
    rmSync(layout.metadataDir, { recursive: true, force: true });
    renameSync(metadata, layout.metadataDir);
    try {
      renameSync(rootfs, layout.rootfs);
    } catch (error) {
      rmSync(layout.metadataDir, { recursive: true, force: true });
      throw error;
    }
    return { ...layout, reports, snapshotEntries };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The private work directory beside `rootfs`; a read-only or full parent is a typed error naming it. */
function makeWorkDirectory(rootfs: string): string {
  const parent = dirname(rootfs);
  // `.<name>.unpack-<pid>.<start>-<hex>`: owned, so the next unpack here removes a dead one's.
  const workBase = join(parent, `.${basename(rootfs)}`);
  removeStaleTemporariesOf(workBase, UNPACK_INFIX);
  const work = ownedName(workBase, UNPACK_INFIX);
  try {
    mkdirSync(work, 0o700);
  } catch (error) {
    throw fileSystemError(parent, error, `creating the work directory for ${rootfs}`);
  }
  return work;
}
