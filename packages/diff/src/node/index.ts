export * from './apply/apply-layer.js';
export * from './apply/unpack-image.js';
export * from './apply/unpack-layout.js';
export * from './apply/written-contents.js';
export * from './snapshot/snapshot-file.js';
export * from './tree/dir-tree.js';
export * from './tree/entry-type.js';
export * from './tree/upperdir.js';
export type { XattrSelection } from './tree/xattr-reader.js';
