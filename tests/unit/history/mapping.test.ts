import { type HistoryEntry, historyRows, mapHistoryToLayers } from '@layerkit/history';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkProperty } from '../../fixtures/property.js';

const diffID = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const IMAGE_ID = `sha256:${'ab'.repeat(32)}`;

describe('mapHistoryToLayers', () => {
  it('lets each non-empty entry consume the next DiffID in order', () => {
    const history: HistoryEntry[] = [
      { created_by: 'ADD rootfs' },
      { created_by: 'ENV A=1', empty_layer: true },
      { created_by: 'RUN make', empty_layer: false },
      { created_by: 'CMD ["sh"]', empty_layer: true },
    ];
    const { rows, validation } = mapHistoryToLayers(history, [diffID(1), diffID(2)]);
    expect(validation).toEqual({ ok: true, problems: [] });
    expect(rows.map((row) => [row.index, row.layerIndex, row.diffID])).toEqual([
      [0, 0, diffID(1)],
      [1, undefined, undefined],
      [2, 1, diffID(2)],
      [3, undefined, undefined],
    ]);
    expect(rows[2]!.entry).toBe(history[2]);
  });

  it('reports too many non-empty entries without throwing or reading past diff_ids (R9)', () => {
    const { rows, validation } = mapHistoryToLayers([{}, {}, { empty_layer: true }, {}], [diffID(1)]);
    expect(rows.map((row) => row.diffID)).toEqual([diffID(1), undefined, undefined, undefined]);
    expect(validation.ok).toBe(false);
    expect(validation.problems).toEqual([
      {
        code: 'TOO_MANY_NON_EMPTY_ENTRIES',
        message: 'too many non-empty layers in History section: 3 non-empty history entries for 1 layers',
        nonEmptyEntries: 3,
        layers: 1,
      },
    ]);
  });

  it('reports too few non-empty entries, including an absent history', () => {
    const few = mapHistoryToLayers([{ empty_layer: true }, {}], [diffID(1), diffID(2), diffID(3)]);
    expect(few.rows.map((row) => row.diffID)).toEqual([undefined, diffID(1)]);
    expect(
      few.validation.problems.map((problem) => [problem.code, problem.nonEmptyEntries, problem.layers]),
    ).toEqual([['TOO_FEW_NON_EMPTY_ENTRIES', 1, 3]]);
    const none = mapHistoryToLayers([], [diffID(1)]);
    expect(none.rows).toEqual([]);
    expect(none.validation.problems[0]!.code).toBe('TOO_FEW_NON_EMPTY_ENTRIES');
    expect(mapHistoryToLayers([], []).validation.ok).toBe(true);
  });

  it('always maps each DiffID at most once, in order, and flags every count mismatch', async () => {
    await checkProperty(
      fc.property(fc.array(fc.boolean(), { maxLength: 30 }), fc.nat(30), (emptyFlags, layerCount) => {
        const diffIDs = Array.from({ length: layerCount }, (_, i) => diffID(i));
        const history = emptyFlags.map((empty) => (empty ? { empty_layer: true } : {}));
        const { rows, validation } = mapHistoryToLayers(history, diffIDs);
        const mapped = rows.flatMap((row) => (row.diffID === undefined ? [] : [row.diffID]));
        const nonEmpty = emptyFlags.filter((empty) => !empty).length;
        expect(mapped).toEqual(diffIDs.slice(0, Math.min(nonEmpty, layerCount)));
        expect(validation.ok).toBe(nonEmpty === layerCount);
        expect(rows).toHaveLength(history.length);
      }),
    );
  });
});

describe('historyRows', () => {
  const sizes = new Map([
    [diffID(1), 7_300_000],
    [diffID(2), 95],
  ]);
  const layerSize = (id: string) => sizes.get(id) ?? -1;

  it('builds newest-first rows with the image ID on top and <missing> below', () => {
    const { rows, validation } = historyRows(
      {
        history: [
          { created: '2024-05-01T00:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
          { created: '2024-05-01T00:00:01Z', created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
          { created_by: 'sh', comment: '修改了默认网页', author: 'someone' },
        ],
        rootfs: { diff_ids: [diffID(1), diffID(2)] },
      },
      layerSize,
      IMAGE_ID,
    );
    expect(validation.ok).toBe(true);
    expect(rows).toEqual([
      { id: IMAGE_ID, createdBy: 'sh', size: 95, comment: '修改了默认网页' },
      {
        id: '<missing>',
        created: '2024-05-01T00:00:01Z',
        createdBy: '/bin/sh -c #(nop)  CMD ["sh"]',
        size: 0,
        comment: '',
      },
      {
        id: '<missing>',
        created: '2024-05-01T00:00:00Z',
        createdBy: '/bin/sh -c #(nop) ADD file:abc in / ',
        size: 7_300_000,
        comment: '',
      },
    ]);
  });

  it('passes the layer position to the size function and sizes unmatched entries 0', () => {
    const calls: [string, number][] = [];
    const { rows, validation } = historyRows(
      { history: [{}, {}, {}], rootfs: { diff_ids: [diffID(1), diffID(1)] } },
      (id, index) => {
        calls.push([id, index]);
        return 10 + index;
      },
      IMAGE_ID,
    );
    expect(calls).toEqual([
      [diffID(1), 0],
      [diffID(1), 1],
    ]);
    expect(rows.map((row) => row.size)).toEqual([0, 11, 10]);
    expect(validation.problems[0]!.code).toBe('TOO_MANY_NON_EMPTY_ENTRIES');
  });

  it('gives no rows for a config without history, like docker', () => {
    for (const history of [undefined, null, []]) {
      const { rows, validation } = historyRows(
        { history, rootfs: { diff_ids: [diffID(1)] } },
        layerSize,
        IMAGE_ID,
      );
      expect(rows).toEqual([]);
      expect(validation.ok).toBe(false);
    }
  });
});
