/**
 * Repairs a history whose non-empty entries do not pair one-to-one with the layers
 * (R9, docs/threat-model.md#r9),
 * the way buildkit's exporter normalizes it: surplus non-empty entries at the end become
 * empty, and missing ones are appended. Well-formed histories come back unchanged.
 */
import type { HistoryEntry } from '@layerkit/history';

/** The comment on entries added for layers that had none (buildkit writes the same). */
export const REPAIRED_HISTORY_COMMENT = 'buildkit.exporter.image.v0';

/** Returns a copy of `history` with exactly `layerCount` non-empty entries. */
export function alignHistoryWithLayers(
  history: readonly HistoryEntry[],
  layerCount: number,
  created: string | undefined,
): HistoryEntry[] {
  const aligned = history.map((entry) => ({ ...entry }));
  let nonEmpty = aligned.filter((entry) => entry.empty_layer !== true).length;
  for (let i = aligned.length - 1; i >= 0 && nonEmpty > layerCount; i--) {
    const entry = aligned[i]!;
    if (entry.empty_layer === true) continue;
    entry.empty_layer = true;
    nonEmpty--;
  }
  for (; nonEmpty < layerCount; nonEmpty++) {
    const entry: HistoryEntry = { comment: REPAIRED_HISTORY_COMMENT };
    if (created !== undefined) entry.created = created;
    aligned.push(entry);
  }
  return aligned;
}
