import type { HistoryEntry } from './history-entry.js';
import { type HistoryMappingValidation, mapHistoryToLayers } from './map-history-to-layers.js';

/** The placeholder `docker history` prints for rows without an image ID. */
export const MISSING_ID = '<missing>';

/** One row of `docker history` output (the daemon's `HistoryResponseItem`). */
export interface HistoryRow {
  /** The image ID (`sha256:…`) or `<missing>`. */
  id: string;
  /** RFC 3339 creation time; absent or invalid prints as N/A (human) or the Unix epoch. */
  created?: string;
  /** The creating command. */
  createdBy: string;
  /** Uncompressed size in bytes of the layer the entry maps to; 0 for empty entries. */
  size: number;
  /** The entry's comment. */
  comment: string;
}

/** The part of an image config that history rows need. */
export interface HistorySource {
  /** The config's `history` array (oldest first); absent or null means no rows. */
  history?: readonly HistoryEntry[] | null | undefined;
  /** The config's `rootfs`. */
  rootfs: {
    /** The DiffIDs of the layers, bottom first. */
    diff_ids: readonly string[];
  };
}

/** Returns the uncompressed size of one layer, given its DiffID and position in `diff_ids`. */
export type LayerSizeOf = (diffID: string, layerIndex: number) => number;

/** Rows ready to render plus the mapping validation (R9, docs/threat-model.md#r9) to report with them. */
export interface HistoryRows {
  /** Newest first, like `docker history`. */
  rows: HistoryRow[];
  /** Whether the history entries and layers paired up. */
  validation: HistoryMappingValidation;
}

/**
 * Builds `docker history` rows from an image config: newest first, `imageId` on the top row and
 * `<missing>` below (there is no parent chain offline), the size of the mapped layer via
 * `layerSize`, 0 for empty entries and for non-empty entries that have no layer left (R9: rendered
 * best-effort, reported in `validation`).
 */
export function historyRows(source: HistorySource, layerSize: LayerSizeOf, imageId: string): HistoryRows {
  const { rows, validation } = mapHistoryToLayers(source.history ?? [], source.rootfs.diff_ids);
  const rendered = rows.map(({ entry, diffID, layerIndex }, index): HistoryRow => {
    const row: HistoryRow = {
      id: index === rows.length - 1 ? imageId : MISSING_ID,
      createdBy: entry.created_by ?? '',
      size: diffID === undefined || layerIndex === undefined ? 0 : layerSize(diffID, layerIndex),
      comment: entry.comment ?? '',
    };
    if (entry.created !== undefined) row.created = entry.created;
    return row;
  });
  return { rows: rendered.reverse(), validation };
}
