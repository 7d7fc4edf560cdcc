/**
 * @layerkit/digest/internal — plumbing shared by layerkit's own packages (blob errors and checks,
 * byte helpers, a bounded pipe, the SOURCE_DATE_EPOCH range). No compatibility promise: this entry
 * point is for layerkit's own packages and may change in any release. Portable: nothing here
 * imports `node:`.
 */

export { assertMatchesRef, blobCorrupt, blobMissing, requireSha256 } from './blob-verify.js';
export { ByteChannel } from './byte-channel.js';
export { collectBytes, concatBytes } from './bytes.js';
export { checkSourceDateEpoch } from './source-date-epoch.js';
