/**
 * The write side of image storage, independent of the format. The order is the safety
 * property: layer blobs first, then `publish` stores config and manifest and makes the tag
 * visible as the very last step, atomically; a crash at any point leaves the old image intact.
 * A multi-platform image is its images published `untagged`, then `publishIndex` over them.
 */
import type { Raw } from '../json/raw.js';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest, Platform } from '../oci-types.js';
import type { BlobWriteStore } from './blob-reader.js';

/** What `publish` needs: the documents' exact bytes (stored as given, never re-serialized). */
export interface ImageToPublish {
  /** The image manifest; its layers must already be in `blobs` (`publish` stores config and manifest). */
  manifest: Raw<ImageManifest>;
  /** The image config the manifest names. */
  config: Raw<ImageConfig>;
  /** The manifest descriptor's platform; default: `architecture`/`os`/`variant` of the config. */
  platform?: Platform | undefined;
}

/** Options for one `publish`. */
export interface PublishOptions {
  /**
   * The tag to point at the image, overriding the one in the sink's reference. For a
   * docker-archive this is a `name:tag` reference (`RepoTags`); elsewhere a ref.name.
   */
  tag?: string | undefined;
  /**
   * Store the documents without pointing any tag at them: an image that an index published
   * next will list (a registry stores it by digest; a layout keeps it out of `index.json`).
   */
  untagged?: boolean | undefined;
}

/** An image store opened for writing. */
export interface ImageSink {
  /** Where layer blobs go first (deduplicated by digest). */
  readonly blobs: BlobWriteStore;
  /** How many blobs may be written at once (default 1: an archive is written member by member). */
  readonly maxConcurrentWrites?: number;
  /** Why this sink cannot hold an index (multi-platform image), when it cannot. */
  readonly refusesIndexes?: string;
  /**
   * Stores the config and then the manifest, checks every blob they reference is present,
   * and points the tag at the manifest (the commit point). Returns the manifest descriptor.
   */
  publish(image: ImageToPublish, options?: PublishOptions): Promise<Descriptor>;
  /**
   * Stores an index (its exact bytes) over manifests published before it, checks they are all
   * there, and points the tag at it (the commit point). Returns the index descriptor. A sink
   * that cannot hold indexes (docker-archive) refuses with `UNSUPPORTED_INDEX`.
   */
  publishIndex(index: Raw<ImageIndex>, options?: PublishOptions): Promise<Descriptor>;
  /** Finishes the store: archives write their index last and rename into place. */
  close(): Promise<void>;
  /** Discards what `close` would have made visible and removes temp files; safe after a failure. */
  abort(): Promise<void>;
}
