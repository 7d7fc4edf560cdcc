/**
 * A position in a tree's entries that moves without a promise per entry: it takes the tree's
 * batches (`entryBatches`, else one entry at a time) and only waits when a batch runs out.
 */
import type { Tree, TreeEntry } from '../contracts.js';

async function* oneByOne(tree: Tree): AsyncIterable<readonly TreeEntry[]> {
  for await (const entry of tree.entries()) yield [entry];
}

/** Reads a tree's entries in order; `current` is undefined once they are all read. */
export class TreeCursor {
  readonly #source: AsyncIterator<readonly TreeEntry[]>;
  #batch: readonly TreeEntry[] = [];
  #index = 0;
  /** The entry at the cursor; undefined at the end. */
  current: TreeEntry | undefined;

  private constructor(tree: Tree) {
    this.#source = (tree.entryBatches?.() ?? oneByOne(tree))[Symbol.asyncIterator]();
  }

  /** A cursor on the first entry of `tree`. */
  static async open(tree: Tree): Promise<TreeCursor> {
    const cursor = new TreeCursor(tree);
    await cursor.#refill();
    return cursor;
  }

  /** Moves to the next entry: synchronously within a batch, else returns the wait for the next one. */
  advance(): Promise<void> | undefined {
    this.#index++;
    if (this.#index < this.#batch.length) {
      this.current = this.#batch[this.#index];
      return undefined;
    }
    return this.#refill();
  }

  /**
   * Ends the source's iteration when the diff stops early, so its `finally` runs: a snapshot
   * tree closes its file. (A directory walk holds nothing open between batches: it lists each
   * directory whole, synchronously, on the same thread.)
   */
  async close(): Promise<void> {
    await this.#source.return?.();
  }

  async #refill(): Promise<void> {
    for (let step = await this.#source.next(); ; step = await this.#source.next()) {
      if (step.done) {
        this.current = undefined;
        return;
      }
      if (step.value.length > 0) {
        this.#batch = step.value;
        this.#index = 0;
        this.current = step.value[0];
        return;
      }
    }
  }
}
