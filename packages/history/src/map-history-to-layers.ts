import type { HistoryEntry } from './history-entry.js';

/** One history entry with the layer it describes. */
export interface HistoryLayerRow {
  /** The entry itself. */
  entry: HistoryEntry;
  /** Position of the entry in `history` (oldest first). */
  index: number;
  /** Position in `diff_ids` of the layer this entry consumed; undefined for empty or unmatched entries. */
  layerIndex: number | undefined;
  /** The layer's DiffID; undefined for empty entries and for non-empty entries with no layer left. */
  diffID: string | undefined;
}

/** A broken mapping (R9, docs/threat-model.md#r9): Docker refuses the history, buildkit repairs it. */
export interface HistoryMappingProblem {
  /** `TOO_MANY_NON_EMPTY_ENTRIES` or `TOO_FEW_NON_EMPTY_ENTRIES`. */
  code: 'TOO_MANY_NON_EMPTY_ENTRIES' | 'TOO_FEW_NON_EMPTY_ENTRIES';
  /** A sentence for people. */
  message: string;
  /** How many entries have `empty_layer` not true. */
  nonEmptyEntries: number;
  /** How many layers `rootfs.diff_ids` lists. */
  layers: number;
}

/** The outcome of checking the mapping rule; `ok` is true when `problems` is empty. */
export interface HistoryMappingValidation {
  /** True when the non-empty entries and the layers pair up exactly. */
  ok: boolean;
  /** What is wrong, if anything. */
  problems: HistoryMappingProblem[];
}

/** The rows of {@link mapHistoryToLayers} plus the validation of the rule. */
export interface HistoryMapping {
  /** One row per history entry, oldest first. */
  rows: HistoryLayerRow[];
  /** Whether the entries and layers pair up. */
  validation: HistoryMappingValidation;
}

/**
 * Applies the rule every tool relies on: walking `history` in order, each entry whose `empty_layer`
 * is not true consumes the next DiffID. A count mismatch is reported in `validation` (never thrown)
 * so a caller can still render the history best-effort; nothing is ever read out of bounds.
 */
export function mapHistoryToLayers(
  history: readonly HistoryEntry[],
  diffIDs: readonly string[],
): HistoryMapping {
  let consumed = 0;
  let nonEmptyEntries = 0;
  const rows = history.map((entry, index): HistoryLayerRow => {
    if (entry.empty_layer === true) return { entry, index, layerIndex: undefined, diffID: undefined };
    nonEmptyEntries++;
    if (consumed >= diffIDs.length) return { entry, index, layerIndex: undefined, diffID: undefined };
    const layerIndex = consumed++;
    return { entry, index, layerIndex, diffID: diffIDs[layerIndex] };
  });
  const problems: HistoryMappingProblem[] = [];
  const counts = `${nonEmptyEntries} non-empty history entries for ${diffIDs.length} layers`;
  if (nonEmptyEntries > diffIDs.length) {
    problems.push({
      code: 'TOO_MANY_NON_EMPTY_ENTRIES',
      message: `too many non-empty layers in History section: ${counts}`,
      nonEmptyEntries,
      layers: diffIDs.length,
    });
  } else if (nonEmptyEntries < diffIDs.length) {
    problems.push({
      code: 'TOO_FEW_NON_EMPTY_ENTRIES',
      message: `too few non-empty layers in History section: ${counts}`,
      nonEmptyEntries,
      layers: diffIDs.length,
    });
  }
  return { rows, validation: { ok: problems.length === 0, problems } };
}
