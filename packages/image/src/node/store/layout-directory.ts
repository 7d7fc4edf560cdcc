/**
 * An OCI image layout directory on disk: reading its two top-level files (capped, regular
 * files only, symlinks not followed), creating a layout, and rewriting `index.json` safely
 * (under the layout lock, temp file + fsync + rename).
 */
import { rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isLayerkitError, LayerkitError } from '@layerkit/digest';
import { ensureDirectory, readRegularFile, writeFileAtomic } from '@layerkit/digest/internal/node';
import { FsBlobStore } from '@layerkit/digest/node';
import { canonicalJson } from '../../json/canonical.js';
import type { JsonObject } from '../../json/json-value.js';
import { checkJsonSize, JsonSizeLimits, parseJsonStrict } from '../../json/strict-parse.js';
import { MediaTypes } from '../../media-types.js';
import type { ImageIndex } from '../../oci-types.js';
import { OCI_LAYOUT_HEADER } from '../../parse/layout-header.js';
import type { LayoutAccess, LayoutFileName } from '../../store/layout-image-source.js';
import { readLayoutIndex } from '../../store/layout-image-source.js';
import { readLeases } from './layout-lease.js';
import { withLayoutLock } from './layout-lock.js';

/** Layout access for a directory; its blobs are an {@link FsBlobStore}. */
export function directoryLayoutAccess(dir: string): LayoutAccess & { blobs: FsBlobStore } {
  return {
    location: dir,
    readFile: async (name, maxBytes) => readLayoutFile(dir, name, maxBytes),
    blobs: new FsBlobStore(dir),
    close: async () => {},
  };
}

/**
 * Reads `oci-layout` or `index.json`; undefined when absent. Over `maxBytes`: `JSON_TOO_LARGE`
 * (R3, docs/threat-model.md#r3).
 */
export function readLayoutFile(dir: string, name: LayoutFileName, maxBytes: number): Uint8Array | undefined {
  const path = join(dir, name);
  try {
    // Never blocks: a FIFO or device in place of the file is NOT_A_REGULAR_FILE (R12).
    return readRegularFile(path, { checkSize: (size) => checkJsonSize(size, maxBytes, path) });
  } catch (error) {
    // Absent, or `dir` is a file (so it holds no layout file either).
    if (isLayerkitError(error, 'FILE_NOT_FOUND')) return undefined;
    throw error;
  }
}

/**
 * Makes `dir` a layout if it is not one yet (`blobs/sha256/`, `oci-layout`, an empty
 * `index.json`), and checks an existing one is readable (R13). Safe against concurrent calls.
 */
export async function ensureLayout(dir: string): Promise<void> {
  ensureDirectory(join(dir, 'blobs', 'sha256'));
  const access = directoryLayoutAccess(dir);
  await withLayoutLock(dir, async () => {
    if (readLayoutFile(dir, 'oci-layout', JsonSizeLimits.layoutHeader) === undefined) {
      writeFileAtomic(join(dir, 'oci-layout'), OCI_LAYOUT_HEADER);
    }
    if (readLayoutFile(dir, 'index.json', JsonSizeLimits.index) === undefined) {
      const empty: ImageIndex = { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [] };
      writeFileAtomic(join(dir, 'index.json'), canonicalJson(empty));
    }
    await readLayoutIndex(access);
  });
}

/**
 * Undoes {@link ensureLayout} for a layout this process created for a step that then failed:
 * removes it while its index still lists nothing and no other writer holds a lease on it (under
 * the lock; the directory itself only if nothing else appeared in it meanwhile). A layout that
 * gained an image or a writer is left alone.
 */
export async function removeUnusedLayout(dir: string): Promise<void> {
  const access = directoryLayoutAccess(dir);
  const emptied = await withLayoutLock(dir, async () => {
    if ((await readLayoutIndex(access)).manifests.length > 0) return false;
    if (readLeases(dir).writers > 0) return false; // another writer is storing blobs into it
    for (const name of ['index.json', 'oci-layout', 'blobs'])
      rmSync(join(dir, name), { recursive: true, force: true });
    return true;
  });
  if (!emptied) return;
  try {
    rmdirSync(dir);
  } catch {
    // Another writer's files are in it: the directory stays, as a non-layout it was before us.
  }
}

/**
 * Rewrites `index.json` under the layout lock: `change` gets the current index (validated,
 * but with every field it holds, known or not, so nothing written by other tools is lost)
 * and returns the next one, which replaces the file atomically.
 */
export async function updateLayoutIndex(
  dir: string,
  change: (index: ImageIndex) => Promise<ImageIndex>,
): Promise<void> {
  const access = directoryLayoutAccess(dir);
  await withLayoutLock(dir, async () => {
    await readLayoutIndex(access);
    const bytes = readLayoutFile(dir, 'index.json', JsonSizeLimits.index);
    if (bytes === undefined)
      throw new LayerkitError('NOT_AN_OCI_LAYOUT', `${dir}: index.json vanished`, { dir });
    const current = parseJsonStrict(bytes, { maxBytes: JsonSizeLimits.index, what: join(dir, 'index.json') });
    const next = await change(current as JsonObject as unknown as ImageIndex);
    writeFileAtomic(join(dir, 'index.json'), canonicalJson(next));
  });
}
