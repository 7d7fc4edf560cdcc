/**
 * @layerkit/image/node — the image operations a build tool calls instead of a daemon (`commit`,
 * `build`, `unpack`, `diffImage`, `imageHistory`, `inspectImage`, `convert`, `listImages`, `removeTags` …) and image stores
 * opened by reference: OCI layouts, oci-archive, docker-archive and registries.
 */

export type { ApplyReport, UnpackLayout, UnpackResult } from '@layerkit/diff/node';
export type { RegistryOptions } from '@layerkit/registry/node';
export type { BuildResult, LayerHistoryText, MemoryLayer } from '../build/build-image.js';
export type { FileMap, FileSpec } from '../build/file-map.js';
export { type AppendOptions, appendLayer } from './ops/append-layer.js';
export { type BuildLayer, type BuildOptions, build } from './ops/build-image.js';
export { type CommitOptions, commit } from './ops/commit.js';
export { type ConvertOptions, convert } from './ops/convert.js';
export { type CreateIndexOptions, createIndex } from './ops/create-index.js';
export { type DiffImageOptions, diffImage } from './ops/diff-image.js';
export { type ImageHistoryOptions, imageHistory } from './ops/image-history.js';
export type { ImageRefLike } from './ops/image-ref.js';
export type { StepMetadata, StepResult } from './ops/image-step.js';
export { type ImportOptions, importRootfs } from './ops/import-rootfs.js';
export { type InspectImageOptions, inspectImage } from './ops/inspect-image.js';
export { type CachedLayer, type LayerCacheListener, layerCacheDir } from './ops/layer-cache.js';
export { writeLayerFile } from './ops/layer-file.js';
export type { LayerOptions } from './ops/layer-from-tree-diff.js';
export type { LayerSource } from './ops/layer-source.js';
export type { LenientReadOptions } from './ops/lenient-read.js';
export { type ListImagesOptions, listImages } from './ops/list-images.js';
export {
  type MountedImage,
  type MountImageOptions,
  type MountRecord,
  mountImage,
  readMountRecord,
  unmountImage,
} from './ops/mount-image.js';
export { type MutateConfigOptions, mutateConfig } from './ops/mutate-config.js';
export type { ProgressEvent, ProgressListener, ProgressOptions, ProgressPhase } from './ops/progress.js';
export { type RemovedTag, type RemoveTagsOptions, removeTags } from './ops/remove-tags.js';
export { type SquashOptions, squash } from './ops/squash.js';
export { type UnpackImageOptions, unpack } from './ops/unpack.js';
export { type VerifyOptions, type VerifyProblem, type VerifyReport, verify } from './ops/verify.js';
export { hostPlatform } from './store/host-platform.js';
export { type GcResult, gcLayout } from './store/layout-gc.js';
export { type OpenImageOptions, openImageSink, openImageSource } from './store/open-image.js';
