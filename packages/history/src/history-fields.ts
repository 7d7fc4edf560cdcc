import { ellipsis } from './ellipsis.js';
import type { HistoryRow } from './history-rows.js';
import { humanDuration } from './human-duration.js';
import { humanSizeWithPrecision } from './human-size.js';
import { createRfc3339Formatter, parseRfc3339Seconds } from './rfc3339.js';
import { sanitizeDisplayText } from './sanitize-display-text.js';

/** How `docker history` renders rows (its flags). */
export interface RenderHistoryOptions {
  /** `--no-trunc`: full IDs and CREATED BY (default false). */
  noTrunc?: boolean | undefined;
  /** `--human` (default true): relative times and decimal sizes instead of timestamps and bytes. */
  human?: boolean | undefined;
  /** `--quiet`: the table shows only IDs (ignored by JSON output). */
  quiet?: boolean | undefined;
  /** The reference time for "… ago" (default: the current time). */
  now?: Date | undefined;
  /** IANA zone for CREATED AT timestamps (default `UTC`; Docker uses the local zone). */
  timeZone?: string | undefined;
}

/** The string fields `docker history` exposes for one row (`--format` placeholders). */
export interface HistoryFields {
  /** `.ID` */
  ID: string;
  /** `.CreatedSince` */
  CreatedSince: string;
  /** `.CreatedAt` */
  CreatedAt: string;
  /** `.CreatedBy` */
  CreatedBy: string;
  /** `.Size` */
  Size: string;
  /** `.Comment` */
  Comment: string;
}

/** docker/cli only shows relative times after this instant (2000-01-01T00:00:00Z, Unix seconds). */
const HUMAN_EPOCH_SECONDS = 946_684_800;
/** CREATED BY is cut to this many columns unless `--no-trunc`. */
const CREATED_BY_WIDTH = 45;
/** `stringid.TruncateID` keeps this many characters. */
const SHORT_ID_LENGTH = 12;

/** `stringid.TruncateID`: drop everything up to the first `:`, keep 12 characters. */
export function truncateId(id: string): string {
  return id.slice(id.indexOf(':') + 1).slice(0, SHORT_ID_LENGTH);
}

/** Go's `strconv.FormatInt`: plain digits even where JS would switch to exponent form. */
function formatBytes(size: number): string {
  return Number.isInteger(size) ? BigInt(size).toString() : String(size);
}

/**
 * Returns a function computing the docker/cli `historyContext` fields of a row, with every
 * untrusted string sanitized (R17, docs/threat-model.md#r17) before it is measured or truncated.
 * Throws `LayerkitError` `INVALID_TIME_ZONE` for an unknown `timeZone`.
 */
export function historyFieldsFormatter(
  options: RenderHistoryOptions = {},
): (row: HistoryRow) => HistoryFields {
  const { noTrunc = false, human = true, now = new Date(), timeZone } = options;
  const formatCreatedAt = createRfc3339Formatter(timeZone);
  const nowMillis = now.getTime();
  return (row) => {
    const id = sanitizeDisplayText(row.id);
    const createdBy = sanitizeDisplayText(row.createdBy);
    // A missing or unparsable time is Go's zero Unix time, as the daemon reports it.
    const createdSeconds = (row.created === undefined ? undefined : parseRfc3339Seconds(row.created)) ?? 0;
    const createdAt = formatCreatedAt(createdSeconds);
    let createdSince = createdAt;
    if (human) {
      createdSince =
        createdSeconds <= HUMAN_EPOCH_SECONDS
          ? 'N/A'
          : `${humanDuration(nowMillis - createdSeconds * 1000)} ago`;
    }
    return {
      ID: noTrunc ? id : truncateId(id),
      CreatedSince: createdSince,
      CreatedAt: createdAt,
      CreatedBy: noTrunc ? createdBy : ellipsis(createdBy, CREATED_BY_WIDTH),
      Size: human ? humanSizeWithPrecision(row.size, 3) : formatBytes(row.size),
      Comment: sanitizeDisplayText(row.comment),
    };
  };
}
