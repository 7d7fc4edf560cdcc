/**
 * The diff oracle: for random trees A and B, applying the layer built from diff(A, B) onto A
 * (with the spec-derived reference applier) gives B.
 */
import type { DetectionMode, LayerEntry, MemoryTree } from '@layerkit/diff';
import { diffTrees, layerEntriesFromChanges } from '@layerkit/diff';
import fc from 'fast-check';
import { expect, it, describe as suite } from 'vitest';
import { treePairArb } from '../unit/diff/arbitrary-trees.js';
import { describe, loadTree, type RefTree, referenceApply } from '../unit/diff/reference-apply.js';

const SECOND = 1_000_000_000n;

/**
 * The only difference a diff may leave: a non-directory it judged unchanged keeps the lower mtime
 * when the mode's rule tolerates it (auto: same second with one side truncated; content: any).
 */
function tolerated(mode: DetectionMode, lower: bigint, upper: bigint): boolean {
  if (mode === 'content') return true;
  return lower / SECOND === upper / SECOND && (lower % SECOND === 0n || upper % SECOND === 0n);
}

async function expectRoundTrip(
  lower: MemoryTree,
  upper: MemoryTree,
  mode: DetectionMode,
  layer: LayerEntry[],
) {
  const base = await loadTree(lower);
  const result: RefTree = await referenceApply(base, layer);
  const want = await loadTree(upper);
  for (const [path, inode] of result) {
    const target = want.get(path);
    const original = base.get(path);
    if (target === undefined || original !== inode || inode.mtimeNs === target.mtimeNs) continue;
    // Unchanged inode with another mtime: allowed only where the rule says so; then compare the rest.
    expect(tolerated(mode, inode.mtimeNs, target.mtimeNs)).toBe(true);
    result.set(path, { ...inode, mtimeNs: target.mtimeNs });
  }
  expect(describe(result)).toEqual(describe(want));
}

suite('diff round trip through LayerEntry (reference applier)', () => {
  for (const mode of ['auto', 'content'] as const) {
    it(`apply(A, layer(diff(A, B))) == B in ${mode} mode`, async () => {
      await fc.assert(
        fc.asyncProperty(treePairArb, fc.boolean(), async ({ lower, upper }, opaque) => {
          const layer: LayerEntry[] = [];
          for await (const e of layerEntriesFromChanges(diffTrees(lower, upper, { mode }), { opaque }))
            layer.push(e);
          await expectRoundTrip(lower, upper, mode, layer);
        }),
        { numRuns: 300 },
      );
    });
  }
});
