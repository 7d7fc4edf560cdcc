/**
 * @layerkit/diff/internal — plumbing shared by layerkit's own packages: the tar member scanner,
 * entry-name cleaning and typeflags of the archive stores, the layer check of `appendLayer`, the
 * verified layer stream and DiffID check of every layer reader, and `treeAt` of the build API. No
 * compatibility promise: this entry point is for layerkit's own packages and may change in any
 * release. Portable: nothing here imports `node:`.
 */

export { checkDiffID } from './layer/diff-id-check.js';
export { LayerStream } from './layer/layer-stream.js';
export { checkedLayerTar } from './tar/checked-layer-tar.js';
export { normalizeEntryName } from './tar/entry-name.js';
export { type ReadAt, scanTarMembers, type TarMember } from './tar/scan-tar-members.js';
export { TYPEFLAG } from './tar/typeflag.js';
export { type ParentDirectory, treeAt } from './tree/tree-at.js';
