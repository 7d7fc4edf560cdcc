import { historyFieldsFormatter, type RenderHistoryOptions } from './history-fields.js';
import type { HistoryRow } from './history-rows.js';

/** Characters Go's `json.Marshal` escapes that `JSON.stringify` leaves alone. */
const GO_EXTRA_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** A JSON string literal spelled as Go's `encoding/json` writes it (HTML-safe escaping). */
function goJsonString(text: string): string {
  return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (char) => GO_EXTRA_ESCAPES[char]!);
}

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
