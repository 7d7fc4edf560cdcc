/**
 * Test helpers for layer stacks: apply them to a fresh directory and compute their merged view,
 * both described with the diff tests' reference model (every fact that must match, per path).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergedTree } from '@layerkit/diff';
import { type ApplyOptions, type ApplyReport, applyLayer, directoryTree } from '@layerkit/diff/node';
import { createNativeSha256 } from '@layerkit/digest/node';
import { chunks } from '../../hostile/layer/raw-tar.js';
import { describe, loadTree } from '../diff/reference-apply.js';

/** A temporary directory, removed by `remove()`. */
export function temporaryDir(label: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `lk-${label}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Applies `layers` (bottom first) to `root` in order. */
export async function applyStack(
  root: string,
  layers: Uint8Array[],
  options: ApplyOptions = {},
): Promise<ApplyReport[]> {
  const reports: ApplyReport[] = [];
  for (const layer of layers) reports.push(await applyLayer(root, chunks(layer, 4096), options));
  return reports;
}

/** The reference description of a directory on disk (all xattrs). */
export async function describeDisk(root: string): Promise<Map<string, string>> {
  return describe(await loadTree(directoryTree(root, { xattrs: 'all' })));
}

/** The reference description of the merged view of `layers` (uncompressed tars). */
export async function describeMerged(layers: Uint8Array[]): Promise<Map<string, string>> {
  const tree = await mergedTree(
    layers.map((layer) => () => chunks(layer, 4096)),
    { hasher: createNativeSha256 },
  );
  return describe(await loadTree(tree));
}
