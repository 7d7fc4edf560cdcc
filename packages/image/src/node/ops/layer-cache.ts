/**
 * The content-addressed layer cache behind mounted images (docs/design.md#mounted-images): one
 * directory per layer DiffID, holding the layer extracted on its own as an overlayfs lower layer,
 * shared by every image that has the layer (as containerd's overlay snapshotter shares
 * snapshots). An entry is extracted into an owned temporary directory beside its final name,
 * verified against its DiffID, and renamed into place last, so a half-extracted layer is never
 * seen and concurrent mounts of images sharing a layer never corrupt it: the first rename wins.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EntryMeta } from '@layerkit/diff';
import { type ApplyReport, extractLowerLayer } from '@layerkit/diff/node';
import { type Digest, LayerkitError } from '@layerkit/digest';
import { ensureDirectory, ownedName, removeStaleTemporariesOf } from '@layerkit/digest/internal/node';

/** The infix of an entry being extracted (`<hex>.extract-<pid>.<start>-<hex>`). */
const EXTRACT_INFIX = '.extract-';
/** The record beside each extracted layer. */
const RECORD = 'layer.json';

/** A layer ready to be an overlay lower layer. */
export interface CachedLayer {
  /** The layer's DiffID. */
  diffID: Digest;
  /** The extracted layer (the overlay lower directory). */
  dir: string;
  /** The metadata its `./` entry gives the root, when it has one. */
  root: EntryMeta | undefined;
  /** True when this call extracted it; false when the cache already held it. */
  extracted: boolean;
}

/** What `mountImage` reports per layer: a cache hit or an extraction. */
export type LayerCacheListener = (layer: CachedLayer) => void;

/** The JSON record of an entry: which layer it is and its root metadata. */
interface LayerRecord {
  diffID: Digest;
  root?: { uid: number; gid: number; mode: number; mtimeNs: string; xattrs: [string, string][] };
}

/**
 * The cache directory: `cache` when given, else `$LAYERKIT_CACHE`, else `$XDG_CACHE_HOME/layerkit`,
 * else `~/.cache/layerkit` (root follows the same rules).
 */
export function layerCacheDir(cache?: string | undefined): string {
  const env = process.env;
  if (cache !== undefined) return resolve(cache);
  if (env.LAYERKIT_CACHE) return resolve(env.LAYERKIT_CACHE);
  return resolve(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'layerkit');
}

/**
 * Whether this process runs in the initial user namespace (uid_map `0 0 4294967295`). Extracted
 * in another one, files may lack their owners and device nodes: such entries live apart
 * (`layers-userns/`), so a root mount never uses a lossy extraction.
 */
function inInitialUserNamespace(): boolean {
  try {
    return readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/).join(' ') === '0 0 4294967295';
  } catch {
    return false;
  }
}

/** The directory of the cache entry of `diffID` (it may not exist yet). */
export function cacheEntryDir(cacheDir: string, diffID: Digest): string {
  const [algorithm, hex] = diffID.split(':') as [string, string];
  return join(cacheDir, inInitialUserNamespace() ? 'layers' : 'layers-userns', algorithm, hex);
}

function recordOf(diffID: Digest, report: ApplyReport): LayerRecord {
  const root = report.root;
  if (root === undefined) return { diffID };
  const xattrs = [...root.xattrs].map(([name, value]): [string, string] => [
    name,
    Buffer.from(value).toString('base64'),
  ]);
  return {
    diffID,
    root: { uid: root.uid, gid: root.gid, mode: root.mode, mtimeNs: String(root.mtimeNs), xattrs },
  };
}

/** Reads the entry at `entry`; a missing or foreign record is `LAYER_CACHE_CORRUPT`. */
function readEntry(entry: string, diffID: Digest): CachedLayer {
  const corrupt = (why: string): never => {
    throw new LayerkitError(
      'LAYER_CACHE_CORRUPT',
      `layer cache entry ${entry} ${why}: remove it and mount again`,
      {
        path: entry,
        diffID,
      },
    );
  };
  let record: LayerRecord;
  try {
    record = JSON.parse(readFileSync(join(entry, RECORD), 'utf8')) as LayerRecord;
  } catch {
    return corrupt(`has no readable ${RECORD}`);
  }
  if (record.diffID !== diffID) corrupt(`records ${String(record.diffID)}, not ${diffID}`);
  const dir = join(entry, 'fs');
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory() !== true) corrupt('has no fs/ directory');
  const r = record.root;
  const root =
    r === undefined
      ? undefined
      : {
          uid: r.uid,
          gid: r.gid,
          mode: r.mode,
          mtimeNs: BigInt(r.mtimeNs),
          xattrs: new Map(
            r.xattrs.map(([name, value]) => [name, new Uint8Array(Buffer.from(value, 'base64'))]),
          ),
        };
  return { diffID, dir, root, extracted: false };
}

/** Options of {@link cachedLayer}. */
export interface CachedLayerOptions {
  /** Create device nodes and FIFOs (default true; as in `unpack`). */
  devices?: boolean | undefined;
  /** How errors name the layer (e.g. `layer 2`). */
  layerName?: string | undefined;
}

/**
 * The cache entry of `diffID` under `cacheDir`, extracted from `open()` (verified against
 * `diffID`: `DIFFID_MISMATCH` otherwise, and nothing is cached) when the cache lacks it.
 */
export async function cachedLayer(
  cacheDir: string,
  diffID: Digest,
  open: () => AsyncIterable<Uint8Array>,
  options: CachedLayerOptions = {},
): Promise<CachedLayer> {
  const entry = cacheEntryDir(cacheDir, diffID);
  if (statSync(entry, { throwIfNoEntry: false }) !== undefined) return readEntry(entry, diffID);
  ensureDirectory(join(entry, '..'));
  removeStaleTemporariesOf(entry, EXTRACT_INFIX);
  const work = ownedName(entry, EXTRACT_INFIX);
  // T15: private while setuid files and devices are written; the mount reads it as root.
  mkdirSync(work, 0o700);
  try {
    const report = await extractLowerLayer(join(work, 'fs'), open(), {
      expectedDiffID: diffID,
      layerName: options.layerName ?? `layer ${diffID}`,
      devices: options.devices,
    });
    writeFileSync(join(work, RECORD), `${JSON.stringify(recordOf(diffID, report))}\n`, { mode: 0o600 });
    try {
      renameSync(work, entry);
    } catch (error) {
      // Another process cached the same layer first: its entry is as good as ours.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      return readEntry(entry, diffID);
    }
    return { ...readEntry(entry, diffID), extracted: true };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
