/**
 * @layerkit/digest/internal/node — Node plumbing shared by layerkit's own packages: crash-safe
 * file writes, the temporary files they leave, names owned by a process, non-blocking opens of
 * regular files, write-behind on the thread pool, `mkdir -p` that ends, and typed file-system errors. No compatibility promise:
 * this entry point is for layerkit's own packages and may change in any release.
 */

export {
  AtomicFileWriter,
  fsyncDirectory,
  isStaleTemporary,
  removeStaleTemporaries,
  removeStaleTemporariesOf,
  type StaleTemporary,
  TEMPORARY_INFIX,
  temporaryPath,
  writeFileAtomic,
  writeFully,
} from './atomic-file.js';
export { ensureDirectory } from './ensure-directory.js';
export { fileSystemError } from './file-system-error.js';
export { isDeadOwner, isStaleOwnedName, ownedName, ownerTag } from './process-owner.js';
export {
  type OpenedRegularFile,
  type OpenRegularFileOptions,
  openRegularFile,
  readRegularFile,
} from './regular-file.js';
export { WriteBehind } from './write-behind.js';
