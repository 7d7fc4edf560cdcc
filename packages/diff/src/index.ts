/**
 * @layerkit/diff — trees, docker-diff changes and layer tars (portable core: no `node:` imports).
 * File system sources and apply-to-directory are in `@layerkit/diff/node`.
 */

export {
  type ApplyTally,
  DEVICE_NOT_PERMITTED,
  type DroppedXattr,
  type EntryMeta,
  ROOT_ENTRY_SKIPPED,
  type SkippedEntry,
  SPECIAL_FILES_OFF,
} from './apply/apply-types.js';
export { type LayerOpener, type MergedTreeOptions, mergedTree } from './apply/merged-view.js';
export type {
  BytePath,
  Change,
  ChangeKind,
  ContentReader,
  EntryStat,
  EntryType,
  LayerEntry,
  TarEntry,
  TarHeader,
  TarLimits,
  Tree,
  TreeEntry,
} from './contracts.js';
export type { ChangeStream, DiffFacts, LinkedPath } from './engine/change-stream.js';
export type { DetectionMode, XattrComparison } from './engine/compare.js';
export type { DiffStats, DiffTimes } from './engine/diff-stats.js';
export { type DiffOptions, type DiffStream, diffTrees } from './engine/diff-trees.js';
export {
  type DockerChange,
  dockerChange,
  type EngineApiChange,
  formatChangeLine,
  formatDockerDiff,
  toEngineApiJson,
} from './engine/docker-format.js';
export {
  type LayerEntryOptions,
  layerEntriesFromAdditions,
  layerEntriesFromChanges,
} from './engine/layer-entries.js';
export { comparePaths, pathFromBytes, pathFromUtf8, pathToBytes, pathToUtf8 } from './path.js';
export { snapshotEntryOf, snapshotRecordOf } from './snapshot/snapshot-entry.js';
export {
  decodeSnapshot,
  encodeSnapshot,
  SNAPSHOT_HEADER,
  SnapshotEncoder,
  type SnapshotMetadata,
  type SnapshotRecord,
  type SnapshotVersion,
} from './snapshot/snapshot-format.js';
export { type SnapshotLookup, snapshotLookup } from './snapshot/snapshot-lookup.js';
export { isSnapshotTree, type SnapshotTree, snapshotTree } from './snapshot/snapshot-tree.js';
export { layerEntriesFromTar } from './tar/layer-entries-from-tar.js';
export { readTar } from './tar/read-tar.js';
export { type LayerTarOptions, type LayerTarWarning, writeLayerTar } from './tar/write-layer-tar.js';
export {
  bytesContent,
  type MemoryEntrySpec,
  MemoryTree,
  type MemoryTreeDefaults,
} from './tree/memory-tree.js';
