/**
 * Which blobs a set of root descriptors keeps alive: manifests, indexes (nested), configs,
 * layers and subjects, each visited once (memoized by digest, R11 of
 * docs/threat-model.md). Garbage collection
 * deletes the rest, so a document that cannot be read stops the walk instead of being skipped.
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

/** The digests reachable from `roots`; blobs missing from the store are reported, not followed. */
export async function reachableBlobs(
  blobs: BlobReader,
  roots: readonly Descriptor[],
  limits: ReachabilityLimits = {},
): Promise<{ reachable: Set<Digest>; missing: Set<Digest> }> {
  const maxDescriptors = limits.maxDescriptors ?? 1_000_000;
  const reachable = new Set<Digest>();
  const missing = new Set<Digest>();
  const pending = [...roots];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (reachable.has(next.digest) || missing.has(next.digest)) continue;
    if (!(await blobs.has(next.digest))) {
      missing.add(next.digest);
      continue;
    }
    reachable.add(next.digest);
    if (reachable.size > maxDescriptors) {
      throw new LayerkitError('INDEX_TOO_LARGE', `more than ${maxDescriptors} reachable blobs`, {
        limit: maxDescriptors,
      });
    }
    pending.push(...(await childrenOf(blobs, next)));
  }
  return { reachable, missing };
}

async function childrenOf(blobs: BlobReader, descriptor: Descriptor): Promise<Descriptor[]> {
  if (isManifestMediaType(descriptor.mediaType)) {
    const manifest = parseManifest(
      await readJsonBlob(blobs, descriptor, JsonSizeLimits.manifest),
      descriptor,
    ).value;
    return [manifest.config, ...manifest.layers, ...(manifest.subject ? [manifest.subject] : [])];
  }
  if (isIndexMediaType(descriptor.mediaType)) {
    const index = parseIndex(await readJsonBlob(blobs, descriptor, JsonSizeLimits.index), descriptor).value;
    return [...index.manifests, ...(index.subject ? [index.subject] : [])];
  }
  return [];
}
