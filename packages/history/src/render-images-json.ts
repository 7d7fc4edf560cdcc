import { goJsonString } from './go-json-string.js';
import { imageListFieldsFormatter, type RenderImagesOptions } from './image-list-fields.js';
import type { ImageListRow } from './image-list-row.js';

/** docker/cli's fields that need a daemon (containers, shared and unique sizes): always `N/A` offline. */
const NOT_AVAILABLE = 'N/A';

/**
 * Renders rows like `docker image ls --format json`: one compact JSON object per row and line, all
 * values strings, keys in Go's sorted map order (`Containers, CreatedAt, CreatedSince, Digest, ID,
 * Platform, Repository, SharedSize, Size, Tag, UniqueSize, VirtualSize`; `Platform` only on a row of
 * a multi-platform tag; the daemon-only fields `N/A`), escaped like Go (`<none>` →
 * `\u003cnone\u003e`). `noTrunc` and `now` apply as in the table; `quiet` does not.
 */
export function renderImagesJson(rows: readonly ImageListRow[], options: RenderImagesOptions = {}): string {
  const fieldsOf = imageListFieldsFormatter(options);
  return rows
    .map((row) => {
      const fields = fieldsOf(row);
      const values: [string, string][] = [
        ['Containers', NOT_AVAILABLE],
        ['CreatedAt', fields.CreatedAt],
        ['CreatedSince', fields.CreatedSince],
        ['Digest', fields.Digest],
        ['ID', fields.ID],
        ...(row.platform === undefined ? [] : ([['Platform', fields.Platform]] as [string, string][])),
        ['Repository', fields.Repository],
        ['SharedSize', NOT_AVAILABLE],
        ['Size', fields.Size],
        ['Tag', fields.Tag],
        ['UniqueSize', NOT_AVAILABLE],
        ['VirtualSize', fields.Size],
      ];
      return `{${values.map(([key, value]) => `"${key}":${goJsonString(value)}`).join(',')}}\n`;
    })
    .join('');
}
