/**
 * The upper directories enclosing the walk's current path: the one piece of state (bounded by
 * depth) that lets a streaming walk report a directory as `C` before its first changed descendant.
 */
import type { BytePath, Change, TreeEntry } from '../contracts.js';
import { isInside } from '../path.js';

/** One enclosing directory. */
export interface ParentFrame {
  entry: TreeEntry;
  /** The lower entry at the same path, when there is one. */
  lower: TreeEntry | undefined;
  /** Already reported (as A or C). */
  reported: boolean;
  /** Lower entries directly inside, and how many of those were deleted. */
  lowerChildren: number;
  deletedChildren: number;
}

/** A stack of {@link ParentFrame}s; `onLeave` sees each frame once its subtree is done. */
export class ParentStack {
  readonly #frames: ParentFrame[] = [];
  readonly #onLeave: (frame: ParentFrame) => void;

  constructor(onLeave: (frame: ParentFrame) => void = () => {}) {
    this.#onLeave = onLeave;
  }

  /** Leaves every directory that does not enclose `path` (`''` leaves them all). */
  moveTo(path: BytePath): void {
    for (let top = this.top(); top !== undefined && !isInside(path, top.entry.path); top = this.top()) {
      this.#frames.pop();
      this.#onLeave(top);
    }
  }

  /** The innermost enclosing directory (the parent of the current path), if any. */
  top(): ParentFrame | undefined {
    return this.#frames[this.#frames.length - 1];
  }

  /** Enters directory `entry` (the current path). */
  enter(entry: TreeEntry, lower: TreeEntry | undefined, reported: boolean): void {
    this.#frames.push({ entry, lower, reported, lowerChildren: 0, deletedChildren: 0 });
  }

  /** The entries of the enclosing directories, outermost first. */
  ancestors(): TreeEntry[] {
    return this.#frames.map((f) => f.entry);
  }

  /** The changes to emit for `change`: every not yet reported enclosing directory as `C`, then it. */
  report(change: Change): Change[] {
    const out: Change[] = [];
    for (const frame of this.#frames) {
      if (frame.reported) continue;
      frame.reported = true;
      const parent: Change = { kind: 'C', path: frame.entry.path, entry: frame.entry };
      if (frame.lower !== undefined) parent.lower = frame.lower;
      out.push(parent);
    }
    out.push(change);
    return out;
  }
}
