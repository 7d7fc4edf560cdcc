import { truncateId } from './history-fields.js';
import { humanDuration } from './human-duration.js';
import { humanSizeWithPrecision } from './human-size.js';
import { type ImageListRow, NONE } from './image-list-row.js';
import { parseRfc3339Seconds } from './rfc3339.js';
import { sanitizeDisplayText } from './sanitize-display-text.js';

/** How `docker image ls` renders rows (its flags). */
export interface RenderImagesOptions {
  /** `--no-trunc`: full image IDs (`sha256:…`) (default false). */
  noTrunc?: boolean | undefined;
  /** `--quiet`: the table shows only image IDs (ignored by JSON output). */
  quiet?: boolean | undefined;
  /** The reference time for "… ago" (default: the current time). */
  now?: Date | undefined;
}

/** The string fields `docker image ls` exposes for one row (`--format` placeholders), and the platform. */
export interface ImageListFields {
  /** `.Repository` */
  Repository: string;
  /** `.Tag` */
  Tag: string;
  /** `.ID` */
  ID: string;
  /** `.Digest`: the manifest digest or `<none>`. */
  Digest: string;
  /** `.CreatedSince`: `N ago`, or `N/A` without a valid creation time. */
  CreatedSince: string;
  /** `.CreatedAt`: Go's `time.Time.String()` in UTC (`2024-06-01 00:00:00 +0000 UTC`), or ''. */
  CreatedAt: string;
  /** `.Size`: go-units `HumanSizeWithPrecision(size, 3)`. */
  Size: string;
  /** `os/arch[/variant]` of a platform of a multi-platform tag, else ''. */
  Platform: string;
}

/** Go's `time.Unix(seconds, 0).UTC().String()`. */
function goTimeString(seconds: number): string {
  const iso = new Date(seconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}

/**
 * Returns a function computing the docker/cli `imageContext` fields of a row, every untrusted
 * string sanitized (R17, docs/threat-model.md#r17) before it is measured.
 */
export function imageListFieldsFormatter(
  options: RenderImagesOptions = {},
): (row: ImageListRow) => ImageListFields {
  const { noTrunc = false, now = new Date() } = options;
  const nowMillis = now.getTime();
  return (row) => {
    const id = sanitizeDisplayText(row.id);
    // docker/cli prints N/A for Go's zero time: a config without a (valid) `created`.
    const created = row.created === undefined ? undefined : parseRfc3339Seconds(row.created);
    return {
      Repository: sanitizeDisplayText(row.repository),
      Tag: sanitizeDisplayText(row.tag),
      ID: noTrunc ? id : truncateId(id),
      Digest: row.digest === undefined ? NONE : sanitizeDisplayText(row.digest),
      CreatedSince: created === undefined ? 'N/A' : `${humanDuration(nowMillis - created * 1000)} ago`,
      CreatedAt: created === undefined ? '' : goTimeString(created),
      Size: humanSizeWithPrecision(row.size, 3),
      Platform: row.platform === undefined ? '' : sanitizeDisplayText(row.platform),
    };
  };
}
