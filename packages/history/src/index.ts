/**
 * @layerkit/history — OCI image history: creating entries, mapping entries to layers, and
 * rendering rows exactly as `docker history` and `docker image ls` print them (portable: no `node:` imports).
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
export type { RenderImagesOptions } from './image-list-fields.js';
export { type ImageListRow, NONE } from './image-list-row.js';
export {
  type HistoryLayerRow,
  type HistoryMapping,
  type HistoryMappingProblem,
  type HistoryMappingValidation,
  mapHistoryToLayers,
} from './map-history-to-layers.js';
export { renderHistoryTable } from './render-history.js';
export { renderHistoryJson } from './render-history-json.js';
export { renderImagesTable } from './render-images.js';
export { renderImagesJson } from './render-images-json.js';
export { parseSourceDateEpoch, sourceDateEpochFromEnv } from './source-date-epoch.js';
