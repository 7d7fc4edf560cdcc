import { alignColumns } from './align-columns.js';
import { historyFieldsFormatter, type RenderHistoryOptions } from './history-fields.js';
import type { HistoryRow } from './history-rows.js';

/**
 * Renders rows (newest first) exactly like `docker history`: the table
 * `IMAGE  CREATED  CREATED BY  SIZE  COMMENT` (`CREATED AT` when not human) laid out by docker's
 * tabwriter (min width 10, padding 3, the COMMENT column unpadded), or with `quiet` only the IDs.
 * Every line ends in `\n`. Throws `LayerkitError` `INVALID_TIME_ZONE` for an unknown `timeZone`.
 */
export function renderHistoryTable(rows: readonly HistoryRow[], options: RenderHistoryOptions = {}): string {
  const fieldsOf = historyFieldsFormatter(options);
  if (options.quiet === true) return rows.map((row) => `${fieldsOf(row).ID}\n`).join('');
  const human = options.human ?? true;
  const header = ['IMAGE', human ? 'CREATED' : 'CREATED AT', 'CREATED BY', 'SIZE', 'COMMENT'];
  const lines = rows.map((row) => {
    const fields = fieldsOf(row);
    return [
      fields.ID,
      human ? fields.CreatedSince : fields.CreatedAt,
      fields.CreatedBy,
      fields.Size,
      fields.Comment,
    ];
  });
  return alignColumns([header, ...lines], { minWidth: 10, padding: 3 });
}
