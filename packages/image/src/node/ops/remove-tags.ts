/**
 * `removeTags`: what `docker rmi` does to a tag, for OCI layouts and registries. In a layout the
 * tag's `index.json` entry is removed under the layout lock (the index rewritten atomically, as
 * every tag write is) and the blobs stay until `gcLayout`; in a registry the manifest the tag
 * names is deleted by digest (`DELETE /v2/<name>/manifests/<digest>`), where the registry allows it.
 */
import { type Digest, isLayerkitError, LayerkitError } from '@layerkit/digest';
import { familiarRepositoryName } from '@layerkit/registry';
import { isIndexMediaType } from '../../media-types.js';
import type { Descriptor, ImageIndex } from '../../oci-types.js';
import {
  formatImageReference,
  type ImageReference,
  type OciReference,
  type RegistryImageReference,
} from '../../reference/image-reference.js';
import { forEachConcurrently } from '../../store/for-each-concurrently.js';
import { listedReference } from '../../store/listed-name.js';
import { listTags, withoutTag } from '../../store/tagged-index.js';
import { updateLayoutIndex } from '../store/layout-directory.js';
import { type OpenImageOptions, openImageSource } from '../store/open-image.js';
import { registryClient } from '../store/registry-clients.js';
import { type ImageRefLike, toImageReference } from './image-ref.js';

/** Options of {@link removeTags}. */
export interface RemoveTagsOptions extends Pick<OpenImageOptions, 'registry' | 'signal'> {
  /**
   * Untag a multi-platform tag (an image index) for all its platforms; without it such a tag is
   * refused with `MULTI_PLATFORM_TAG` (`rmi --all`).
   */
  all?: boolean | undefined;
  /**
   * Called as soon as a tag is gone (a layout's tags once its index is rewritten), so that a
   * failure later in `refs` does not hide what was already removed.
   */
  onRemoved?: ((removed: RemovedTag) => void) | undefined;
}

/** One tag removed by {@link removeTags}. */
export interface RemovedTag {
  /** The reference as given, in its parsed form (`oci:images:nginx:v2`, `docker://…`). */
  reference: string;
  /**
   * The names untagged, as `docker rmi` prints them (`nginx:v2`, `localhost:5000/app:v1`). In a
   * registry, deleting a manifest removes every tag naming it: all of them are listed.
   */
  untagged: string[];
  /** The digest of the manifest or index the tag named. */
  digest: Digest;
  /**
   * `layout`: the layout directory lost the tag, its blobs stay until `gcLayout(location)`;
   * `registry`: the registry deleted the manifest (`location` is `HOST/REPO`).
   */
  store: 'layout' | 'registry';
  /** The layout directory, or the registry repository (`HOST/REPO`). */
  location: string;
}

/** Registry tags compared with the deleted manifest at once. */
const TAG_CONCURRENCY = 4;

/**
 * Removes the tags `refs` name (`oci:DIR:TAG`, `docker://HOST/REPO[:TAG|@DIGEST]`), in order, and
 * returns what each removed. Each layout is changed once, all or nothing: a tag it does not hold
 * (`TAG_NOT_FOUND`) or a multi-platform tag without `all` (`MULTI_PLATFORM_TAG`) leaves its
 * `index.json` as it was. A registry that does not allow deleting is `REGISTRY_UNSUPPORTED` (the
 * tag stays). Archives are written whole and are refused (`INVALID_REFERENCE`), as is a layout
 * reference without a tag. Every reference is parsed before anything changes.
 */
export async function removeTags(
  refs: readonly ImageRefLike[],
  options: RemoveTagsOptions = {},
): Promise<RemovedTag[]> {
  const references = [...new Map(refs.map(toRemovable).map((r) => [formatImageReference(r), r])).values()];
  const layouts = new Map<string, OciReference[]>();
  for (const reference of references) {
    if (reference.transport === 'oci')
      layouts.set(reference.path, [...(layouts.get(reference.path) ?? []), reference]);
  }
  const removed = new Map<ImageReference, RemovedTag>();
  for (const reference of references) {
    if (reference.transport === 'docker') {
      const tag = await deleteFromRegistry(reference, options);
      removed.set(reference, tag);
      options.onRemoved?.(tag);
    } else if (!removed.has(reference)) {
      for (const tag of await untagInLayout(
        reference.path,
        layouts.get(reference.path)!,
        options.all === true,
      )) {
        removed.set(tag.reference, tag.removed);
        options.onRemoved?.(tag.removed);
      }
    }
  }
  return references.map((reference) => removed.get(reference)!);
}

/** `ref` parsed, when it names a tag of a layout or a registry. */
function toRemovable(ref: ImageRefLike): OciReference | RegistryImageReference {
  const reference = toImageReference(ref);
  const shown = formatImageReference(reference);
  const refuse = (why: string) =>
    new LayerkitError('INVALID_REFERENCE', `cannot untag ${shown}: ${why}`, { reference: shown });
  if (reference.transport === 'docker') return reference;
  if (reference.transport !== 'oci')
    throw refuse('an archive is written whole; copy the images to keep into a new one (layerkit copy)');
  if (reference.tag === undefined) throw refuse('name the tag (oci:DIR:TAG)');
  return reference as OciReference & { tag: string };
}

function multiPlatform(shown: string, descriptor: Descriptor): LayerkitError {
  return new LayerkitError(
    'MULTI_PLATFORM_TAG',
    `${shown} is a multi-platform image (index ${descriptor.digest}): untag it for all its platforms with --all`,
    { reference: shown, digest: descriptor.digest },
  );
}

/** Removes every tag of `references` from the layout `dir` in one index update. */
async function untagInLayout(
  dir: string,
  references: readonly OciReference[],
  all: boolean,
): Promise<{ reference: OciReference; removed: RemovedTag }[]> {
  const results: { reference: OciReference; removed: RemovedTag }[] = [];
  await updateLayoutIndex(dir, async (current) => {
    let index: ImageIndex = current;
    for (const reference of references) {
      const tag = reference.tag!;
      const shown = formatImageReference(reference);
      const next = withoutTag(index, tag);
      const [first] = next.removed;
      if (first === undefined) {
        const known = listTags(current);
        throw new LayerkitError(
          'TAG_NOT_FOUND',
          `no image tagged ${JSON.stringify(tag)} in ${dir} (tags: ${known.join(', ') || 'none'})`,
          { location: dir, tag, tags: known },
        );
      }
      const nested = next.removed.find((descriptor) => isIndexMediaType(descriptor.mediaType));
      if (nested !== undefined && !all) throw multiPlatform(shown, nested);
      index = next.index;
      results.push({
        reference,
        removed: {
          reference: shown,
          untagged: [listedReference(tag)],
          digest: first.digest,
          store: 'layout',
          location: dir,
        },
      });
    }
    return index;
  });
  return results;
}

/** Deletes the manifest `reference` names, after finding every tag that names it too. */
async function deleteFromRegistry(
  reference: RegistryImageReference,
  options: RemoveTagsOptions,
): Promise<RemovedTag> {
  const shown = formatImageReference(reference);
  const repository = familiarRepositoryName(reference);
  const source = await openImageSource(reference, { registry: options.registry, signal: options.signal });
  let descriptor: Descriptor;
  const untagged: string[] = [];
  try {
    descriptor = await source.root();
    if (isIndexMediaType(descriptor.mediaType) && options.all !== true)
      throw multiPlatform(shown, descriptor);
    const tags = await source.tags();
    const naming = new Set<string>();
    await forEachConcurrently(tags, TAG_CONCURRENCY, async (tag) => {
      if (tag === reference.tag || (await source.root(tag)).digest === descriptor.digest) naming.add(tag);
    });
    for (const tag of tags) if (naming.has(tag)) untagged.push(`${repository}:${tag}`);
  } finally {
    await source.close();
  }
  const client = registryClient(reference.registry, options.registry);
  try {
    await client.deleteManifest(reference.repository, descriptor.digest, { signal: options.signal });
  } catch (error) {
    if (!isLayerkitError(error, 'REGISTRY_UNSUPPORTED')) throw error;
    throw new LayerkitError(
      'REGISTRY_UNSUPPORTED',
      `cannot untag ${shown}: the registry does not allow deleting manifests (distribution: storage.delete.enabled); nothing was removed`,
      { reference: shown },
      { cause: error },
    );
  }
  return {
    reference: shown,
    untagged,
    digest: descriptor.digest,
    store: 'registry',
    location: `${reference.registry}/${reference.repository}`,
  };
}
