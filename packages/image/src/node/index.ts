/** @layerkit/image/node — image storage on the file system: OCI layouts, oci-archive, docker-archive. */

export type { RegistryOptions } from '@layerkit/registry/node';
export * from './ops/index.js';
export { openDockerArchiveSource } from './store/docker-archive-source.js';
export { openDockerArchiveSink } from './store/docker-archive-store.js';
export { hostPlatform } from './store/host-platform.js';
export { type LayoutLockOptions, withLayoutLock } from './store/layout-lock.js';
export { openOciArchiveSink, openOciArchiveSource } from './store/oci-archive-store.js';
export * from './store/oci-layout-store.js';
export { type OpenImageOptions, openImageSink, openImageSource, referenceTag } from './store/open-image.js';
