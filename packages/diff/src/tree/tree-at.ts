/**
 * A tree moved under a directory: what `COPY dir /app/` makes of a directory's contents. The
 * ancestors of the new root come first (as directories with the given facts), then every entry
 * of the tree with `at/` in front of its path; the global order holds because all of them share
 * one prefix.
 */
import type { BytePath, Tree, TreeEntry } from '../contracts.js';
import { joinComponents, joinPath, pathComponents } from '../path.js';

/** The facts of the directories `treeAt` creates above the tree (the new root included). */
export interface ParentDirectory {
  mode: number;
  uid: number;
  gid: number;
  mtimeNs: bigint;
}

/** `tree` with every path under `at` (a relative byte path; empty: unchanged). */
export function treeAt(tree: Tree, at: BytePath, parents: ParentDirectory): Tree {
  if (at === '') return tree;
  const components = pathComponents(at);
  return {
    async *entries(): AsyncIterable<TreeEntry> {
      for (let depth = 1; depth <= components.length; depth++) {
        yield { path: joinComponents(components.slice(0, depth)), type: 'dir', size: 0, ...parents };
      }
      for await (const entry of tree.entries()) {
        const moved: TreeEntry = { ...entry, path: joinPath(at, entry.path) };
        // A hardlink names its target by path: it moves with the tree.
        if (entry.type === 'hardlink' && entry.linkTarget !== undefined)
          moved.linkTarget = joinPath(at, entry.linkTarget);
        yield moved;
      }
    },
  };
}
