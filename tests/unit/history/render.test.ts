import { LayerkitError } from '@layerkit/digest';
import { type HistoryRow, renderHistoryJson, renderHistoryTable } from '@layerkit/history';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignColumns } from '../../../packages/history/src/align-columns.js';
import { displayWidth } from '../../../packages/history/src/display-width.js';
import { truncateId } from '../../../packages/history/src/history-fields.js';
import { checkProperty } from '../../fixtures/property.js';

const NOW = new Date('2026-08-20T12:00:00Z');

/** A row whose `created` is left out when `undefined`, as `historyRows` leaves out a missing time. */
function withCreated({
  created,
  ...row
}: Omit<HistoryRow, 'created'> & { created: string | undefined }): HistoryRow {
  return created === undefined ? row : { ...row, created };
}

describe('alignColumns (docker tabwriter: minwidth 10, padding 3)', () => {
  it('pads every column but the trailing cell', () => {
    expect(
      alignColumns([
        ['IMAGE', 'SIZE', 'COMMENT'],
        ['abcdef', '0', 'x'],
      ]),
    ).toBe('IMAGE     SIZE      COMMENT\nabcdef    0         x\n');
    expect(
      alignColumns([
        ['a-very-long-cell', 'b', ''],
        ['c', 'd', ''],
      ]),
    ).toBe('a-very-long-cell   b         \nc                  d         \n');
  });

  it('measures wide characters as two columns', () => {
    expect(
      alignColumns([
        ['修改了默认网页', 'x'],
        ['a', 'y'],
      ]),
    ).toBe(`修改了默认网页   x\na${' '.repeat(16)}y\n`); // 14 columns + padding 3
  });

  it('starts a new column block where a line lacks the column, like elastic tabstops', () => {
    expect(
      alignColumns([
        ['aaaaaaaaaaaa', 'b', 'c'],
        ['x', 'y'],
        ['z', 'w', 'v'],
      ]),
    ).toBe(`aaaaaaaaaaaa   b         c
x${' '.repeat(14)}y
z${' '.repeat(14)}w         v
`);
    // a line with a single cell flushes: the lines after it are laid out on their own
    expect(alignColumns([['aaaaaaaaaaaaaaa', 'b'], ['only'], ['c', 'd']])).toBe(
      'aaaaaaaaaaaaaaa   b\nonly\nc         d\n',
    );
  });
});

describe('truncateId (stringid.TruncateID)', () => {
  it.each([
    [`sha256:${'0123456789ab'.repeat(5)}abcd`, '0123456789ab'],
    ['<missing>', '<missing>'],
    ['1234567890123456789', '123456789012'],
    ['image:tag', 'tag'],
    ['', ''],
  ])('%s → %s', (id, expected) => {
    expect(truncateId(id)).toBe(expected);
  });
});

describe('renderHistoryTable', () => {
  const row: HistoryRow = {
    id: '<missing>',
    created: '2026-08-20T11:00:00Z',
    createdBy: 'sh',
    size: 0,
    comment: '',
  };

  it('prints only the header for no rows, and nothing in quiet or JSON mode', () => {
    expect(renderHistoryTable([], { now: NOW })).toBe('IMAGE     CREATED   CREATED BY   SIZE      COMMENT\n');
    expect(renderHistoryTable([], { now: NOW, quiet: true })).toBe('');
    expect(renderHistoryJson([], { now: NOW })).toBe('');
  });

  it('shows N/A up to and including 2000-01-01T00:00:00Z and for missing or invalid times', () => {
    const since = (created: string | undefined) =>
      JSON.parse(renderHistoryJson([withCreated({ ...row, created })], { now: NOW })).CreatedSince;
    expect(since('2000-01-01T00:00:00Z')).toBe('N/A');
    expect(since('2000-01-01T01:00:00+01:00')).toBe('N/A');
    expect(since('1999-12-31T23:59:59Z')).toBe('N/A');
    expect(since('1970-01-01T00:00:00Z')).toBe('N/A');
    expect(since(undefined)).toBe('N/A');
    expect(since('yesterday')).toBe('N/A');
    expect(since('2000-01-01T00:00:01Z')).toBe('26 years ago');
    expect(since('2026-08-20T12:00:30Z')).toBe('Less than a second ago');
  });

  it('non-human mode prints the timestamp in the zone and raw byte counts', () => {
    const json = JSON.parse(
      renderHistoryJson([{ ...row, size: 1e21 }], { now: NOW, human: false, timeZone: 'Asia/Tokyo' }),
    );
    expect(json).toEqual({
      Comment: '',
      CreatedAt: '2026-08-20T20:00:00+09:00',
      CreatedBy: 'sh',
      CreatedSince: '2026-08-20T20:00:00+09:00',
      ID: '<missing>',
      Size: '1000000000000000000000',
    });
  });

  it('rejects an unknown time zone with a typed error', () => {
    expect(() => renderHistoryTable([row], { timeZone: 'Nowhere/Else' })).toThrow(LayerkitError);
  });

  const rowFields = fc.record({
    id: fc.oneof(fc.constant('<missing>'), fc.string({ unit: 'binary', maxLength: 80 })),
    created: fc.option(
      fc.oneof(
        fc.integer({ min: -62135596800, max: 253402300799 }).map((s) => new Date(s * 1000).toISOString()),
        fc.string(),
      ),
      { nil: undefined },
    ),
    createdBy: fc.string({ unit: 'binary', maxLength: 120 }),
    size: fc.oneof(fc.maxSafeNat(), fc.double()),
    comment: fc.string({ unit: 'binary', maxLength: 40 }),
  });
  const rowArbitrary = rowFields.map(withCreated);

  it('never throws, keeps one line per row, pads every cell to its header column, and emits no controls', async () => {
    await checkProperty(
      fc.property(
        fc.array(rowArbitrary, { maxLength: 6 }),
        fc.boolean(),
        fc.boolean(),
        (rows, noTrunc, human) => {
          const table = renderHistoryTable(rows, { now: NOW, noTrunc, human });
          const lines = table.split('\n');
          expect(lines.pop()).toBe('');
          expect(lines).toHaveLength(rows.length + 1);
          expect(table.replaceAll('\n', '')).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
          // Column starts from the (ASCII) header; each cell is measured on its own, as the
          // tabwriter does (grapheme clusters can span a cell boundary, so widths don't add up).
          const header = lines[0]!;
          const created = header.indexOf('CREATED');
          const starts = [
            0,
            created,
            header.indexOf('CREATED BY', created + 1),
            header.indexOf('SIZE'),
            header.indexOf('COMMENT'),
          ];
          const columnWidths = starts.slice(1).map((next, i) => next - starts[i]!);
          lines.slice(1).forEach((line, i) => {
            const fields = JSON.parse(renderHistoryJson([rows[i]!], { now: NOW, noTrunc, human }));
            const cells = [fields.ID, fields.CreatedSince, fields.CreatedBy, fields.Size];
            const padded = cells.map((cell, j) => cell + ' '.repeat(columnWidths[j]! - displayWidth(cell)));
            expect(line).toBe(padded.join('') + fields.Comment);
            if (!noTrunc) expect(displayWidth(fields.CreatedBy)).toBeLessThanOrEqual(45);
          });
        },
      ),
    );
  });

  it('JSON is one valid object per row with Go-sorted keys', async () => {
    await checkProperty(
      fc.property(fc.array(rowArbitrary, { maxLength: 4 }), (rows) => {
        const lines = renderHistoryJson(rows, { now: NOW }).split('\n');
        expect(lines.pop()).toBe('');
        expect(lines).toHaveLength(rows.length);
        for (const line of lines) {
          expect(Object.keys(JSON.parse(line))).toEqual([
            'Comment',
            'CreatedAt',
            'CreatedBy',
            'CreatedSince',
            'ID',
            'Size',
          ]);
          expect(line).not.toMatch(/[<>&\u2028\u2029]/);
        }
      }),
    );
  });
});
