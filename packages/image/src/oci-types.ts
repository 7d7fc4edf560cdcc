/**
 * OCI image-spec wire types (image-spec v1.1). Field names are the spec's, verbatim.
 * Optional fields may be absent (or null on read, which readers treat as absent).
 */
import type { Digest } from '@layerkit/digest';
import type { HistoryEntry } from '@layerkit/history';

/** One history entry (config.md `history[]`), owned by @layerkit/history. */
export type { HistoryEntry };

/** A content descriptor (descriptor.md). */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  /** Embedded content, base64. */
  data?: string;
  artifactType?: string;
  /** Only on manifest descriptors inside an index. */
  platform?: Platform;
}

/** Platform fields of an index entry (image-index.md). */
export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

/** An image manifest (manifest.md). */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** An image index (image-index.md); `index.json` of a layout is one. */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** Execution parameters of an image config (config.md `config`). */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  ArgsEscaped?: boolean;
  /**
   * Docker extensions, kept when present. A parsed config keeps `Healthcheck` verbatim (checked
   * only to be an object); the ones layerkit writes are {@link HealthcheckConfig}s.
   */
  Healthcheck?: unknown;
  OnBuild?: string[];
  Shell?: string[];
}

/**
 * Docker's healthcheck (Docker image spec v1.2+ `config.Healthcheck`). Durations are nanoseconds;
 * Docker omits a zero duration or retry count, which means "the default" (30s, 30s, 0s, 5s, 3).
 */
export interface HealthcheckConfig {
  /** `["NONE"]` disables; `["CMD", arg…]` runs directly; `["CMD-SHELL", command]` runs with the config's Shell. */
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** An image configuration (config.md). */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  config?: ContainerConfig;
  rootfs: { type: 'layers'; diff_ids: Digest[] };
  history?: HistoryEntry[];
}
