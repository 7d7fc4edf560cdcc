/**
 * The read side of image storage, independent of the format (OCI layout, oci-archive,
 * docker-archive): resolve a tag to one image, then read its blobs, verified.
 */
import type { Raw } from '../json/raw.js';
import type { Descriptor, ImageConfig, ImageManifest } from '../oci-types.js';
import type { PlatformWant } from '../parse/platform.js';
import type { BlobReader } from './blob-reader.js';

/** One image, resolved down to a single platform's manifest and config. */
export interface ResolvedImage {
  /** The descriptor of the manifest (from `index.json` or a nested index). */
  manifestDescriptor: Descriptor;
  /** The image manifest, verified (for a classic docker-archive, one synthesized from `manifest.json`). */
  manifest: Raw<ImageManifest>;
  /** The image config the manifest names, verified against its descriptor. */
  config: Raw<ImageConfig>;
}

/** A repository of a registry: where blobs can be mounted from instead of sent again. */
export interface RegistryLocation {
  /** The registry host as references name it (`docker.io`, `127.0.0.1:5000`). */
  registry: string;
  /** The repository path on that registry (`library/nginx`). */
  repository: string;
}

/** An image store opened for reading. */
export interface ImageSource {
  /**
   * Resolves `tag` (or the only image when `tag` is undefined) to one manifest and config,
   * walking nested indexes and choosing `platform` (default: the host's).
   */
  resolve(tag?: string, platform?: PlatformWant): Promise<ResolvedImage>;
  /**
   * The descriptor `tag` (or the only image) names as stored: an image manifest, or an index of
   * several (multi-platform). `resolve` picks one image below it; copying the whole starts here.
   */
  root(tag?: string): Promise<Descriptor>;
  /** Verified reads of the source's blobs (layers, configs, manifests). */
  readonly blobs: BlobReader;
  /** Set for a registry repository: a sink on the same registry mounts blobs from it. */
  readonly origin?: RegistryLocation;
  /** The tags the source holds, in its own order. */
  tags(): Promise<string[]>;
  /** Releases open files. The source is unusable afterwards. */
  close(): Promise<void>;
}
