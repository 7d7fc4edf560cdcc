import type { HistoryEntry } from './history-entry.js';
import { formatRfc3339Utc } from './rfc3339.js';
import { parseSourceDateEpoch } from './source-date-epoch.js';

/** What {@link createHistoryEntry} records; every field is optional. */
export interface CreateHistoryEntryOptions {
  /** The command that made the layer (Docker: the container's Cmd joined by spaces). */
  createdBy?: string | undefined;
  /** `--author`. */
  author?: string | undefined;
  /** `--message`. */
  comment?: string | undefined;
  /** True when the step added no layer (an empty diff). */
  emptyLayer?: boolean | undefined;
  /** Where "now" comes from when SOURCE_DATE_EPOCH is not given (default: the system clock). */
  clock?: (() => Date) | undefined;
  /** Seconds since the epoch; when given it wins over `clock` and `created` has no fraction. */
  sourceDateEpoch?: string | number | undefined;
}

/**
 * Builds a history entry the way `docker commit` does: `created` is UTC RFC 3339, taken from
 * SOURCE_DATE_EPOCH when given (`2023-11-14T22:13:20Z`) or else from the clock (Go style: a fraction
 * only when the clock has milliseconds). Empty strings and `emptyLayer: false` are omitted, as Go's
 * `omitempty` does, so the JSON matches Docker's. Throws `LayerkitError` for an invalid
 * SOURCE_DATE_EPOCH or clock time.
 */
export function createHistoryEntry(options: CreateHistoryEntryOptions = {}): HistoryEntry {
  const { createdBy, author, comment, emptyLayer, clock = () => new Date(), sourceDateEpoch } = options;
  const epochMillis =
    sourceDateEpoch === undefined ? clock().getTime() : parseSourceDateEpoch(sourceDateEpoch) * 1000;
  const entry: HistoryEntry = { created: formatRfc3339Utc(epochMillis) };
  if (createdBy) entry.created_by = createdBy;
  if (author) entry.author = author;
  if (comment) entry.comment = comment;
  if (emptyLayer === true) entry.empty_layer = true;
  return entry;
}
