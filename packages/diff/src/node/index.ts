/**
 * @layerkit/diff/node — the file system side: directory and overlayfs upperdir trees, safe layer
 * apply and image unpack into a directory, and snapshot files.
 */

export type { DecompressionLimits } from '../layer/layer-stream.js';
export { type ApplyOptions, type ApplyReport, applyLayer } from './apply/apply-layer.js';
export { extractLowerLayer, type LowerLayerOptions } from './apply/lower-layer.js';
export { setRootMetadata } from './apply/root-metadata.js';
export {
  type UnpackLayer,
  type UnpackOptions,
  type UnpackResult,
  unpackImageLayers,
} from './apply/unpack-image.js';
export { type UnpackLayout, unpackLayout } from './apply/unpack-layout.js';
export { WrittenContents } from './apply/written-contents.js';
export {
  readSnapshot,
  readSnapshotTree,
  recordSnapshot,
  snapshotFileVersion,
} from './snapshot/snapshot-file.js';
export { type DirectoryTree, type DirectoryTreeOptions, directoryTree } from './tree/dir-tree.js';
export { type UpperdirOptions, upperdirChanges } from './tree/upperdir.js';
export type { XattrSelection } from './tree/xattr-reader.js';
