/**
 * Which blobs a set of root descriptors keeps alive: manifests, indexes (nested), configs,
 * layers and subjects, each visited once (memoized by digest, R11 of
 * docs/threat-model.md). Garbage collection
 * deletes the rest, so a document that cannot be read stops the walk instead of being skipped,
 * and a manifest or index that is missing is reported (`missingDocuments`): gc then refuses.
 */
import { type Digest, LayerkitError } from '@layerkit/digest';
import { JsonSizeLimits } from '../json/strict-parse.js';
import { isIndexMediaType, isManifestMediaType } from '../media-types.js';
import type { Descriptor } from '../oci-types.js';
import { parseIndex } from '../parse/index-document.js';
import { parseManifest } from '../parse/manifest.js';
import type { BlobReader } from './blob-reader.js';
import { readJsonBlob } from './resolve-image.js';

/** Caps on the reachability walk. */
export interface ReachabilityLimits {
  /** Most distinct descriptors visited (default 1,000,000). */
  maxDescriptors?: number | undefined;
}

/** A manifest or index the walk had to read and could not find. */
export interface MissingDocument {
  /** Its descriptor. */
  readonly descriptor: Descriptor;
  /** The index or manifest that names it; undefined for a root (a descriptor of `index.json`). */
  readonly referencedBy?: Digest;
}

/** What {@link reachableBlobs} found. */
export interface Reachability {
  /** Every digest reached, present in the store. */
  readonly reachable: Set<Digest>;
  /** Every digest reached but missing from the store. */
  readonly missing: Set<Digest>;
  /**
   * The manifests and indexes among `missing` (not counting a `subject`, which may live
   * elsewhere): what they reference is unknown, so nothing may be called unreachable.
   */
  readonly missingDocuments: MissingDocument[];
}

interface Pending {
  readonly descriptor: Descriptor;
  readonly referencedBy?: Digest;
  readonly subject: boolean;
}

/** The digests reachable from `roots`; blobs missing from the store are reported, not followed. */
export async function reachableBlobs(
  blobs: BlobReader,
  roots: readonly Descriptor[],
  limits: ReachabilityLimits = {},
): Promise<Reachability> {
  const maxDescriptors = limits.maxDescriptors ?? 1_000_000;
  const reachable = new Set<Digest>();
  const missing = new Set<Digest>();
  const missingDocuments: MissingDocument[] = [];
  const pending: Pending[] = roots.map((descriptor) => ({ descriptor, subject: false }));
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { descriptor } = next;
    if (reachable.has(descriptor.digest) || missing.has(descriptor.digest)) continue;
    if (!(await blobs.has(descriptor.digest))) {
      missing.add(descriptor.digest);
      if (!next.subject && isDocument(descriptor)) {
        missingDocuments.push(
          next.referencedBy === undefined ? { descriptor } : { descriptor, referencedBy: next.referencedBy },
        );
      }
      continue;
    }
    reachable.add(descriptor.digest);
    if (reachable.size > maxDescriptors) {
      throw new LayerkitError('INDEX_TOO_LARGE', `more than ${maxDescriptors} reachable blobs`, {
        limit: maxDescriptors,
      });
    }
    const { children, subject } = await childrenOf(blobs, descriptor);
    const referencedBy = descriptor.digest;
    for (const child of children) pending.push({ descriptor: child, referencedBy, subject: false });
    if (subject !== undefined) pending.push({ descriptor: subject, referencedBy, subject: true });
  }
  return { reachable, missing, missingDocuments };
}

function isDocument(descriptor: Descriptor): boolean {
  return isManifestMediaType(descriptor.mediaType) || isIndexMediaType(descriptor.mediaType);
}

async function childrenOf(
  blobs: BlobReader,
  descriptor: Descriptor,
): Promise<{ children: Descriptor[]; subject: Descriptor | undefined }> {
  if (isManifestMediaType(descriptor.mediaType)) {
    const manifest = parseManifest(
      await readJsonBlob(blobs, descriptor, JsonSizeLimits.manifest),
      descriptor,
    ).value;
    return { children: [manifest.config, ...manifest.layers], subject: manifest.subject };
  }
  if (isIndexMediaType(descriptor.mediaType)) {
    const index = parseIndex(await readJsonBlob(blobs, descriptor, JsonSizeLimits.index), descriptor).value;
    return { children: index.manifests, subject: index.subject };
  }
  return { children: [], subject: undefined };
}
