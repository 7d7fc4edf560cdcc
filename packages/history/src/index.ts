export { type AlignColumnsOptions, alignColumns } from './align-columns.js';
export { type CreateHistoryEntryOptions, createHistoryEntry } from './create-history-entry.js';
export { displayWidth } from './display-width.js';
export { codePointWidth, isWideCodePoint } from './east-asian-width.js';
export { ellipsis } from './ellipsis.js';
export { formatGoG } from './go-format-g.js';
export type { HistoryEntry } from './history-entry.js';
export { HistoryError } from './history-error.js';
export {
  type HistoryFields,
  historyFieldsFormatter,
  type RenderHistoryOptions,
  truncateId,
} from './history-fields.js';
export {
  type HistoryRow,
  type HistoryRows,
  type HistorySource,
  historyRows,
  type LayerSizeOf,
  MISSING_ID,
} from './history-rows.js';
export { humanDuration } from './human-duration.js';
export { humanSizeWithPrecision } from './human-size.js';
export {
  type HistoryLayerRow,
  type HistoryMapping,
  type HistoryMappingProblem,
  type HistoryMappingValidation,
  mapHistoryToLayers,
} from './map-history-to-layers.js';
export { renderHistoryTable } from './render-history.js';
export { renderHistoryJson } from './render-history-json.js';
export {
  createRfc3339Formatter,
  formatRfc3339Utc,
  parseRfc3339Seconds,
  type Rfc3339Formatter,
} from './rfc3339.js';
export { sanitizeDisplayText } from './sanitize-display-text.js';
export { parseSourceDateEpoch, sourceDateEpochFromEnv } from './source-date-epoch.js';
