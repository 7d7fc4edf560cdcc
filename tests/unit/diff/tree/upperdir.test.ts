import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LayerEntry } from '@layerkit/diff';
import { diffTrees } from '@layerkit/diff';
import { directoryTree, upperdirChanges } from '@layerkit/diff/node';
import { expect, it, describe as suite } from 'vitest';
import { describe, loadTree, type RefTree, referenceApply } from '../../../fixtures/reference-apply.js';
import { useScratchDir } from '../../../fixtures/scratch.js';
import { dockerDiff, layerOf, sh } from '../disk-fixtures.js';

const root = useScratchDir('overlay');

async function applied(base: RefTree, layer: LayerEntry[]) {
  return describe(await referenceApply(base, layer));
}

suite('upperdirChanges on a real overlayfs mount', () => {
  it('yields the same applied layer as diffing lower against the merged view', async () => {
    const [lower, upper, work, merged] = ['lower', 'upper', 'work', 'merged'].map((n) =>
      join(root.path, n),
    ) as [string, string, string, string];
    for (const d of [lower, upper, work, merged]) mkdirSync(d);
    sh(
      lower,
      `mkdir -p etc app/cache/deep keep empty-later
       printf conf > etc/conf; printf old > etc/old; printf v1 > app/main
       printf c > app/cache/x; printf d > app/cache/deep/y; printf k > keep/k
       printf 1 > empty-later/a; printf 2 > empty-later/b
       touch -d 2024-01-01 etc/conf etc/old app/main app/cache/x app/cache/deep/y keep/k`,
    );
    // Argument vectors, not a shell line: TMPDIR may hold spaces.
    const options = `lowerdir=${lower},upperdir=${upper},workdir=${work}`;
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', options, merged]);
    let viaMerged: Map<string, string>;
    let mergedDiff: string;
    const base = await loadTree(directoryTree(lower));
    try {
      sh(
        merged,
        `printf new > etc/new; printf v2-longer > app/main; rm etc/old
         rm -rf app/cache; mkdir app/cache; printf fresh > app/cache/z
         rm empty-later/a empty-later/b; chmod 700 keep`,
      );
      const stream = diffTrees(directoryTree(lower), directoryTree(merged));
      mergedDiff = await dockerDiff(stream);
      viaMerged = await applied(base, await layerOf(stream));
    } finally {
      execFileSync('umount', [merged]);
    }
    expect(sh(upper, 'getfattr -n trusted.overlay.opaque --only-values app/cache')).toBe('y');

    const withLower = upperdirChanges(upper, directoryTree(lower));
    expect(await dockerDiff(withLower)).toBe(mergedDiff);
    expect(await applied(base, await layerOf(withLower))).toEqual(viaMerged);

    // Without the lower tree: opaque marker instead of explicit deletions, same result.
    const alone = upperdirChanges(upper);
    const layer = await layerOf(alone);
    expect(layer.filter((e) => e.kind !== 'entry')).toEqual([
      { kind: 'opaque', path: 'app/cache' },
      { kind: 'whiteout', path: 'empty-later/a' },
      { kind: 'whiteout', path: 'empty-later/b' },
      { kind: 'whiteout', path: 'etc/old' },
    ]);
    expect(await applied(base, layer)).toEqual(viaMerged);
  });

  it('hand-built upperdir: whiteouts of paths absent below are skipped when the lower tree is given', async () => {
    const lower = join(root.path, 'hand-lower');
    const upper = join(root.path, 'hand-upper');
    mkdirSync(lower);
    mkdirSync(upper);
    sh(lower, 'mkdir d; printf 1 > d/gone');
    sh(
      upper,
      'mkdir d; mknod d/gone c 0 0; mknod d/never c 0 0; mkdir o; setfattr -n trusted.overlay.opaque -v y o',
    );
    expect(await dockerDiff(upperdirChanges(upper, directoryTree(lower)))).toBe('C /d\nD /d/gone\nA /o\n');
    expect(await dockerDiff(upperdirChanges(upper))).toBe('C /d\nD /d/gone\nD /d/never\nC /o\n');
    execFileSync('setfattr', ['-n', 'trusted.overlay.redirect', '-v', '/x', join(upper, 'o')]);
    await expect(dockerDiff(upperdirChanges(upper))).rejects.toMatchObject({ code: 'OVERLAY_UNSUPPORTED' });
  });
});
