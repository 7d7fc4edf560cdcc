/**
 * @layerkit/history — OCI image history: creating entries, mapping entries to layers, and
 * rendering rows exactly as `docker history` prints them (portable: no `node:` imports).
 */

export { type CreateHistoryEntryOptions, createHistoryEntry } from './create-history-entry.js';
export type { HistoryEntry } from './history-entry.js';
export type { RenderHistoryOptions } from './history-fields.js';
export {
  type HistoryRow,
  type HistoryRows,
  type HistorySource,
  historyRows,
  type LayerSizeOf,
  MISSING_ID,
} from './history-rows.js';
export {
  type HistoryLayerRow,
  type HistoryMapping,
  type HistoryMappingProblem,
  type HistoryMappingValidation,
  mapHistoryToLayers,
} from './map-history-to-layers.js';
export { renderHistoryTable } from './render-history.js';
export { renderHistoryJson } from './render-history-json.js';
export { parseSourceDateEpoch, sourceDateEpochFromEnv } from './source-date-epoch.js';
