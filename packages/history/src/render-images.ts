import { alignColumns } from './align-columns.js';
import { imageListFieldsFormatter, type RenderImagesOptions } from './image-list-fields.js';
import type { ImageListRow } from './image-list-row.js';

/**
 * Renders rows exactly like `docker image ls`: the table `REPOSITORY  TAG  IMAGE ID  CREATED  SIZE`
 * laid out by docker's tabwriter (min width 10, padding 3, the last column unpadded), with a
 * `PLATFORM` column after SIZE when a row is one platform of a multi-platform tag; with `quiet`
 * only the IDs. Every line ends in `\n`.
 */
export function renderImagesTable(rows: readonly ImageListRow[], options: RenderImagesOptions = {}): string {
  const fieldsOf = imageListFieldsFormatter(options);
  if (options.quiet === true) return rows.map((row) => `${fieldsOf(row).ID}\n`).join('');
  const withPlatform = rows.some((row) => row.platform !== undefined);
  const header = ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', ...(withPlatform ? ['PLATFORM'] : [])];
  const lines = rows.map((row) => {
    const fields = fieldsOf(row);
    const cells = [fields.Repository, fields.Tag, fields.ID, fields.CreatedSince, fields.Size];
    return withPlatform ? [...cells, fields.Platform] : cells;
  });
  return alignColumns([header, ...lines], { minWidth: 10, padding: 3 });
}
