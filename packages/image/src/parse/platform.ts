/**
 * Choosing the image for a platform from an index (image-index.md: "the first matching entry
 * SHOULD be used"), skipping attestation entries (R19) and unknown media types (no error), and
 * descending into nested indexes with depth and fan-out caps and memoization by digest (R11).
 * Threat ids (Rn) are those of docs/threat-model.md#read.
 */
import { type Digest, LayerkitError } from '@layerkit/digest';
import { isIndexMediaType, isManifestMediaType } from '../media-types.js';
import type { Descriptor, ImageIndex, Platform } from '../oci-types.js';

/** The platform a caller wants. Without `variant`, any variant of the architecture matches. */
export interface PlatformWant {
  /** The operating system, as Go's `GOOS` (`linux`). */
  os: string;
  /** The CPU architecture, as Go's `GOARCH` (`amd64`, `arm64`). */
  architecture: string;
  /**
   * The CPU variant (`v7`, `v8`); an entry without one matches its architecture's default (`v8` for arm64).
   */
  variant?: string | undefined;
}

/** Caps for {@link resolvePlatformManifest}. */
export interface ResolveLimits {
  /** Deepest nesting of indexes below the root; default 8. */
  maxDepth?: number | undefined;
  /** Most index entries examined in total; default 100 000. */
  maxDescriptors?: number | undefined;
}

// Variants an entry without `variant` stands for (containerd's platform normalization).
const DEFAULT_VARIANTS: Readonly<Record<string, string>> = { arm64: 'v8', arm: 'v7', amd64: 'v1' };

/**
 * Parses `os/architecture[/variant]` (the `--platform` syntax). Throws `INVALID_PLATFORM`.
 */
export function parsePlatform(text: string): PlatformWant {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => !/^[A-Za-z0-9._-]+$/.test(part))) {
    throw new LayerkitError(
      'INVALID_PLATFORM',
      `invalid platform ${JSON.stringify(text)}: expected os/arch[/variant]`,
      {
        platform: text,
      },
    );
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/** `os/arch[/variant]`: a platform as `--platform` spells it (what {@link parsePlatform} reads). */
export function platformText(platform: Pick<Platform, 'os' | 'architecture' | 'variant'>): string {
  const base = `${platform.os}/${platform.architecture}`;
  return platform.variant ? `${base}/${platform.variant}` : base;
}

/** True for buildx/buildkit attestation entries: platform `unknown/unknown` or the attestation annotation. */
export function isAttestationEntry(entry: Descriptor): boolean {
  if (entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') return true;
  return entry.platform?.os === 'unknown' && entry.platform.architecture === 'unknown';
}

/**
 * True when an index entry can serve `want`: not an attestation, and a matching platform.
 * An entry without `platform` matches any want (single-image indexes, such as `docker save`'s,
 * often omit it).
 */
export function matchesPlatform(entry: Descriptor, want?: PlatformWant): boolean {
  if (isAttestationEntry(entry)) return false;
  const { platform } = entry;
  if (want === undefined || platform === undefined) return true;
  if (platform.os !== want.os || platform.architecture !== want.architecture) return false;
  if (want.variant === undefined) return true;
  return (platform.variant ?? DEFAULT_VARIANTS[platform.architecture]) === want.variant;
}

/**
 * The first entry of `index` that is a manifest or a nested index and matches `want` (or, without
 * `want`, the first such entry). Entries of unknown media types are skipped, never an error.
 */
export function selectPlatform(index: ImageIndex, want?: PlatformWant): Descriptor | undefined {
  return index.manifests.find(
    (entry) =>
      (isManifestMediaType(entry.mediaType) || isIndexMediaType(entry.mediaType)) &&
      matchesPlatform(entry, want),
  );
}

/**
 * Finds the manifest for `want`, descending into nested indexes in entry order. `load` fetches and
 * parses a nested index (verified against its descriptor). Each nested index is walked once, however
 * often it is referenced. Throws `INDEX_TOO_DEEP` / `INDEX_TOO_LARGE` past the caps, `INDEX_CYCLE`
 * if `load` ever returns an index that contains itself.
 */
export async function resolvePlatformManifest(
  root: ImageIndex,
  load: (descriptor: Descriptor) => Promise<ImageIndex>,
  want?: PlatformWant,
  limits: ResolveLimits = {},
): Promise<Descriptor | undefined> {
  const maxDepth = limits.maxDepth ?? 8;
  const maxDescriptors = limits.maxDescriptors ?? 100_000;
  const results = new Map<Digest, Promise<Descriptor | undefined>>();
  const walking = new Set<Digest>();
  let examined = 0;

  const walk = async (index: ImageIndex, depth: number): Promise<Descriptor | undefined> => {
    examined += index.manifests.length;
    if (examined > maxDescriptors) {
      throw new LayerkitError('INDEX_TOO_LARGE', `image indexes hold more than ${maxDescriptors} entries`, {
        limit: maxDescriptors,
      });
    }
    for (const entry of index.manifests) {
      if (!matchesPlatform(entry, want)) continue;
      if (isManifestMediaType(entry.mediaType)) return entry;
      if (!isIndexMediaType(entry.mediaType)) continue;
      if (depth >= maxDepth) {
        throw new LayerkitError(
          'INDEX_TOO_DEEP',
          `index ${entry.digest} is nested more than ${maxDepth} deep`,
          {
            digest: entry.digest,
            limit: maxDepth,
          },
        );
      }
      if (walking.has(entry.digest)) {
        throw new LayerkitError('INDEX_CYCLE', `index ${entry.digest} contains itself`, {
          digest: entry.digest,
        });
      }
      let result = results.get(entry.digest);
      if (result === undefined) {
        walking.add(entry.digest);
        result = load(entry)
          .then((child) => walk(child, depth + 1))
          .finally(() => walking.delete(entry.digest));
        results.set(entry.digest, result);
      }
      const found = await result;
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk(root, 0);
}
