/**
 * Tags in an OCI layout's `index.json`: the `org.opencontainers.image.ref.name` annotation
 * on its descriptors (image-layout.md). Pure functions; the index is never mutated.
 */
import type { Descriptor, ImageIndex } from '../oci-types.js';
import { REF_NAME_ANNOTATION } from '../parse/ref-name.js';

/** The annotation containerd and Docker ≥ 25 use for the full image reference. */
export const IMAGE_NAME_ANNOTATION = 'io.containerd.image.name';

/** The tag of an index descriptor, if it has one. */
export function tagOf(descriptor: Descriptor): string | undefined {
  return descriptor.annotations?.[REF_NAME_ANNOTATION];
}

/** Every tag in the index, in index order, without duplicates. */
export function listTags(index: ImageIndex): string[] {
  const tags = new Set<string>();
  for (const descriptor of index.manifests) {
    const tag = tagOf(descriptor);
    if (tag !== undefined) tags.add(tag);
  }
  return [...tags];
}

/**
 * A copy of `index` where `tag` points at `descriptor`: any descriptor already carrying the
 * tag is dropped (its manifest stays in `blobs/` until gc) and the new one is appended.
 * With no tag the descriptor is appended untagged, unless the same digest is already untagged there.
 */
export function withTag(index: ImageIndex, descriptor: Descriptor, tag: string | undefined): ImageIndex {
  const tagged: Descriptor =
    tag === undefined
      ? descriptor
      : { ...descriptor, annotations: { ...descriptor.annotations, [REF_NAME_ANNOTATION]: tag } };
  const kept = index.manifests.filter((existing) =>
    tag === undefined
      ? !(existing.digest === descriptor.digest && tagOf(existing) === undefined)
      : tagOf(existing) !== tag,
  );
  return { ...index, manifests: [...kept, tagged] };
}

/**
 * A copy of `index` without the descriptors carrying `tag`, and those descriptors (none when the
 * index has no such tag). Their manifests stay in `blobs/` until gc.
 */
export function withoutTag(index: ImageIndex, tag: string): { index: ImageIndex; removed: Descriptor[] } {
  const removed = index.manifests.filter((descriptor) => tagOf(descriptor) === tag);
  const manifests = index.manifests.filter((descriptor) => tagOf(descriptor) !== tag);
  return { index: { ...index, manifests }, removed };
}
