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
  /** The media type of the referenced content. */
  mediaType: string;
  /** The digest of the referenced content: what its bytes must hash to. */
  digest: Digest;
  /** The blob's size in bytes. */
  size: number;
  /** URLs the content may also be downloaded from (foreign layers: layerkit never fetches them). */
  urls?: string[];
  /** Arbitrary metadata, keys in reverse-domain notation. */
  annotations?: Record<string, string>;
  /** Embedded content, base64. */
  data?: string;
  /** The type of the artifact it points at (a manifest's `artifactType`, else its config's media type). */
  artifactType?: string;
  /** Only on manifest descriptors inside an index. */
  platform?: Platform;
}

/** Platform fields of an index entry (image-index.md). */
export interface Platform {
  /** The CPU architecture, as Go's `GOARCH` (`amd64`, `arm64` …). */
  architecture: string;
  /** The operating system, as Go's `GOOS` (`linux`, `windows` …). */
  os: string;
  /** The operating system's version (e.g. `10.0.14393.1066` on Windows). */
  'os.version'?: string;
  /** Operating system features the image requires (e.g. `win32k` on Windows). */
  'os.features'?: string[];
  /** The CPU variant (`v7` for arm, `v8` for arm64 …). */
  variant?: string;
}

/** An image manifest (manifest.md). */
export interface ImageManifest {
  /** Always 2, for compatibility with older Docker versions. */
  schemaVersion: 2;
  /** `application/vnd.oci.image.manifest.v1+json` (Docker's schema2 type for a Docker manifest). */
  mediaType?: string;
  /** The artifact's type when the manifest describes an artifact rather than an image. */
  artifactType?: string;
  /** The config blob: an {@link ImageConfig} for an image. */
  config: Descriptor;
  /** The layers, bottom (base) first. */
  layers: Descriptor[];
  /** The manifest this one refers to (referrers: signatures, SBOMs …). */
  subject?: Descriptor;
  /** Arbitrary metadata, keys in reverse-domain notation (`org.opencontainers.image.created` …). */
  annotations?: Record<string, string>;
}

/** An image index (image-index.md); `index.json` of a layout is one. */
export interface ImageIndex {
  /** Always 2, for compatibility with older Docker versions. */
  schemaVersion: 2;
  /** `application/vnd.oci.image.index.v1+json` (Docker's manifest list type for a Docker list). */
  mediaType?: string;
  /** The artifact's type when the index describes an artifact. */
  artifactType?: string;
  /** The manifests (or nested indexes) it lists, each with its `platform` when platform-specific. */
  manifests: Descriptor[];
  /** The manifest this index refers to (referrers: signatures, SBOMs …). */
  subject?: Descriptor;
  /** Arbitrary metadata, keys in reverse-domain notation (`org.opencontainers.image.ref.name` …). */
  annotations?: Record<string, string>;
}

/** Execution parameters of an image config (config.md `config`). */
export interface ContainerConfig {
  /** The user (and group) processes run as: `user`, `uid`, `user:group`, `uid:gid` …; default root. */
  User?: string;
  /** Ports to expose, as keys `port/tcp`, `port/udp` or `port` (tcp); the values are empty objects. */
  ExposedPorts?: Record<string, Record<string, never>>;
  /** Environment variables, each `NAME=value`. */
  Env?: string[];
  /** The command a container runs: its first arguments, before `Cmd`. */
  Entrypoint?: string[];
  /** Default arguments after `Entrypoint`; the command itself when there is no `Entrypoint`. */
  Cmd?: string[];
  /** Directories that hold a container's own data, as keys; the values are empty objects. */
  Volumes?: Record<string, Record<string, never>>;
  /** The working directory of the container's process. */
  WorkingDir?: string;
  /** Arbitrary metadata for the container. */
  Labels?: Record<string, string>;
  /** The signal that stops the container: a name (`SIGTERM`) or a number (`9`). */
  StopSignal?: string;
  /** Deprecated, Windows only (Docker): `Entrypoint` or `Cmd` holds one already escaped command line. */
  ArgsEscaped?: boolean;
  /**
   * Docker extensions, kept when present. A parsed config keeps `Healthcheck` verbatim (checked
   * only to be an object); the ones layerkit writes are {@link HealthcheckConfig}s.
   */
  Healthcheck?: unknown;
  /** Docker extension: build instructions to run when an image builds on this one (`ONBUILD`). */
  OnBuild?: string[];
  /** Docker extension: the shell for shell-form commands (Docker's default `["/bin/sh", "-c"]`). */
  Shell?: string[];
}

/**
 * Docker's healthcheck (Docker image spec v1.2+ `config.Healthcheck`). Durations are nanoseconds;
 * Docker omits a zero duration or retry count, which means "the default" (30s, 30s, 0s, 5s, 3).
 */
export interface HealthcheckConfig {
  /** `["NONE"]` disables; `["CMD", arg…]` runs directly; `["CMD-SHELL", command]` runs with the config's Shell. */
  Test?: string[];
  /** Time between checks, in ns (0: 30 s). */
  Interval?: number;
  /** Time a check may run before it counts as failed, in ns (0: 30 s). */
  Timeout?: number;
  /** Time after start during which failures do not count, in ns (0: none). */
  StartPeriod?: number;
  /** Time between checks during the start period, in ns (0: 5 s). */
  StartInterval?: number;
  /** Consecutive failures that make the container unhealthy (0: 3). */
  Retries?: number;
}

/** An image configuration (config.md). */
export interface ImageConfig {
  /** When the image was created, as an RFC 3339 date-time. */
  created?: string;
  /** The name and/or email address of the person or entity that created the image. */
  author?: string;
  /** The CPU architecture the image's binaries are built for, as Go's `GOARCH`. */
  architecture: string;
  /** The operating system the image is built to run on, as Go's `GOOS`. */
  os: string;
  /** The operating system's version (e.g. `10.0.14393.1066` on Windows). */
  'os.version'?: string;
  /** Operating system features the image requires (e.g. `win32k` on Windows). */
  'os.features'?: string[];
  /** The CPU variant (`v7` for arm, `v8` for arm64 …). */
  variant?: string;
  /** The execution parameters a container starts with. */
  config?: ContainerConfig;
  /** The layers' content addresses. */
  rootfs: {
    /** Always `layers`. */
    type: 'layers';
    /** The DiffIDs of the layers (digests of their uncompressed tars), bottom first. */
    diff_ids: Digest[];
  };
  /** The history of each layer, oldest first; `empty_layer` entries made no layer. */
  history?: HistoryEntry[];
}
