import { goJsonString } from './go-json-string.js';
import { historyFieldsFormatter, type RenderHistoryOptions } from './history-fields.js';
import type { HistoryRow } from './history-rows.js';

/**
 * Renders rows like `docker history --format json`: one compact JSON object per row and line, keys
 * in Go's sorted map order (`Comment, CreatedAt, CreatedBy, CreatedSince, ID, Size`), all values
 * strings, escaped like Go (`<missing>` → `\u003cmissing\u003e`). `noTrunc`, `human`, `now` and
 * `timeZone` apply as in the table; `quiet` does not.
 */
export function renderHistoryJson(rows: readonly HistoryRow[], options: RenderHistoryOptions = {}): string {
  const fieldsOf = historyFieldsFormatter(options);
  return rows
    .map((row) => {
      const fields = fieldsOf(row);
      const pairs = (['Comment', 'CreatedAt', 'CreatedBy', 'CreatedSince', 'ID', 'Size'] as const).map(
        (key) => `"${key}":${goJsonString(fields[key])}`,
      );
      return `{${pairs.join(',')}}\n`;
    })
    .join('');
}
