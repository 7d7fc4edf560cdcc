/**
 * @layerkit/image — OCI images, portable core (no `node:` imports): the wire types and media
 * types, canonical JSON, parsers that distrust their input, image references, `--change` and
 * config patches, and the shapes of image stores. The operations and the stores on the file
 * system are in `@layerkit/image/node`.
 *
 * What the API hands out from the other layerkit packages is re-exported here (errors, digests,
 * changes and trees, history rows and their renderers, registry references and settings), so an
 * application needs no other layerkit dependency.
 */

// ---- this package

export {
  type BuildImageOptions,
  type BuildResult,
  buildImage,
  type LayerHistoryText,
  type MemoryLayer,
} from './build/build-image.js';
export type { FileMap, FileSpec } from './build/file-map.js';
export type { StepMetadata } from './build/image-steps.js';
export {
  applyChanges,
  type CommandLine,
  type ConfigChange,
  parseChange,
  parseChanges,
} from './config/config-change.js';
export {
  applyConfig,
  type ConfigPatch,
  type HealthcheckPatch,
  type KeySetPatch,
} from './config/config-patch.js';
export { type CanonicalJsonOptions, canonicalJson } from './json/canonical.js';
export type { JsonObject, JsonValue } from './json/json-value.js';
export type { Raw } from './json/raw.js';
export {
  isConfigMediaType,
  isIndexMediaType,
  isLayerMediaType,
  isManifestMediaType,
  type KnownMediaType,
  layerCompressionOf,
  MediaTypes,
  toOciMediaType,
} from './media-types.js';
export type {
  ContainerConfig,
  Descriptor,
  HealthcheckConfig,
  HistoryEntry,
  ImageConfig,
  ImageIndex,
  ImageManifest,
  Platform,
} from './oci-types.js';
export { parseConfig } from './parse/config.js';
export { type ValidateOptions, validateDescriptor } from './parse/descriptor.js';
export { parseIndex } from './parse/index-document.js';
export { type OciLayoutHeader, parseOciLayoutHeader } from './parse/layout-header.js';
export { parseManifest } from './parse/manifest.js';
export { type PlatformWant, parsePlatform } from './parse/platform.js';
export {
  type DockerArchiveReference,
  formatImageReference,
  IMAGE_TRANSPORTS,
  type ImageReference,
  type OciReference,
  parseImageReference,
  type RegistryImageReference,
} from './reference/image-reference.js';
export type { BlobReader, BlobWriteStore } from './store/blob-reader.js';
export { type DockerName, parseDockerName } from './store/docker-name.js';
export type { ImageSink, ImageToPublish, PublishOptions } from './store/image-sink.js';
export type { ImageSource, RegistryLocation, ResolvedImage } from './store/image-source.js';
export { MemoryOciArchive, type MemoryOciArchiveOptions } from './store/memory-oci-archive.js';
export { describeFinding, type FindingSeverity, type VerifyProblem } from './verify/finding.js';

// ---- re-exported from the other layerkit packages: what this API hands out

export {
  type BytePath,
  type Change,
  type ChangeKind,
  type ContentReader,
  DEVICE_NOT_PERMITTED,
  type DetectionMode,
  type DockerChange,
  type DroppedXattr,
  type EngineApiChange,
  type EntryMeta,
  type EntryStat,
  type EntryType,
  formatDockerDiff,
  type MemoryEntrySpec,
  MemoryTree,
  type MemoryTreeDefaults,
  pathFromBytes,
  pathFromUtf8,
  pathToUtf8,
  ROOT_ENTRY_SKIPPED,
  type SkippedEntry,
  SPECIAL_FILES_OFF,
  type Tree,
  type TreeEntry,
  toEngineApiJson,
} from '@layerkit/diff';
export {
  type BlobRef,
  type BlobStore,
  type BlobWriter,
  type ByteSource,
  type Codec,
  type CompressionName,
  type CompressOptions,
  type DeflateChoice,
  type Digest,
  type DigestRuntime,
  ERROR_CODES,
  type Hasher,
  type HasherFactory,
  isLayerkitError,
  type LayerBlob,
  LayerkitError,
  type LayerkitErrorCode,
  portableRuntime,
  withPortableDeflate,
} from '@layerkit/digest';
export {
  type HistoryMappingProblem,
  type HistoryMappingValidation,
  type HistoryRow,
  type HistoryRows,
  type ImageListRow,
  type RenderHistoryOptions,
  type RenderImagesOptions,
  renderHistoryJson,
  renderHistoryTable,
  renderImagesJson,
  renderImagesTable,
} from '@layerkit/history';
export {
  type CredentialsProvider,
  formatRegistryReference,
  parseRegistryReference,
  type RegistryCredentials,
  type RegistryReference,
  type RetryOptions,
} from '@layerkit/registry';
