/**
 * @layerkit/diff/internal — plumbing shared by layerkit's own packages: the tar member scanner of
 * the archive stores, the layer check of `appendLayer`, and `treeAt` of the build API. No
 * compatibility promise: this entry point is for layerkit's own packages and may change in any
 * release. Portable: nothing here imports `node:`.
 */

export { checkedLayerTar } from './tar/checked-layer-tar.js';
export { type ReadAt, scanTarMembers, type TarMember } from './tar/scan-tar-members.js';
export { type ParentDirectory, treeAt } from './tree/tree-at.js';
