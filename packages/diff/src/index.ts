/**
 * @layerkit/diff — trees, docker-diff changes and layer tars (portable core: no `node:` imports).
 * File system sources and apply-to-directory are in `@layerkit/diff/node`.
 */

export {
  type ApplyTally,
  type DroppedXattr,
  ROOT_ENTRY_SKIPPED,
  type SkippedEntry,
} from './apply/apply-types.js';
export * from './apply/merged-view.js';
export type * from './contracts.js';
export * from './engine/change-stream.js';
export * from './engine/compare.js';
export * from './engine/diff-trees.js';
export * from './engine/docker-format.js';
export * from './engine/layer-entries.js';
export * from './path.js';
export * from './snapshot/snapshot-entry.js';
export * from './snapshot/snapshot-format.js';
export * from './snapshot/snapshot-lookup.js';
export * from './snapshot/snapshot-tree.js';
export * from './tar/checked-layer-tar.js';
export * from './tar/classify-whiteout.js';
export * from './tar/layer-entries-from-tar.js';
export * from './tar/normalize-entry-name.js';
export * from './tar/read-tar.js';
export * from './tar/scan-tar-members.js';
export * from './tar/write-layer-tar.js';
export * from './tree/memory-tree.js';
export * from './tree/tree-at.js';
