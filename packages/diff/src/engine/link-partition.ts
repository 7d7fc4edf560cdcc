/**
 * Hardlink structure as part of "unchanged": a path counts as unchanged only if it is linked to
 * the same earlier unchanged paths on both sides (the spec's LinkMap comparison, streamed).
 */
import type { BytePath, TreeEntry } from '../contracts.js';

/**
 * Tracks, per side, the first unchanged path of every hardlink group seen so far. Two trees
 * link their unchanged paths the same way exactly when every unchanged path has the same first
 * path of its group on both sides; memory grows with the number of multi-link files only.
 */
export class LinkPartition {
  readonly #lower = new Map<string, BytePath>();
  readonly #upper = new Map<string, BytePath>();

  /**
   * For a path whose metadata and content are unchanged: true when its links agree on both
   * sides (then it is recorded as unchanged); false when the link structure changed.
   */
  agree(lower: TreeEntry, upper: TreeEntry): boolean {
    const path = upper.path;
    const firstLower = lower.linkKey === undefined ? path : (this.#lower.get(lower.linkKey) ?? path);
    const firstUpper = upper.linkKey === undefined ? path : (this.#upper.get(upper.linkKey) ?? path);
    if (firstLower !== firstUpper) return false;
    if (firstLower === path) {
      if (lower.linkKey !== undefined) this.#lower.set(lower.linkKey, path);
      if (upper.linkKey !== undefined) this.#upper.set(upper.linkKey, path);
    }
    return true;
  }
}
