/**
 * The `layerkit images docker://HOST/REPO` rows: every tag of the repository (the tag list API),
 * each resolved through the manifest API and its config read, a few tags at a time.
 */
import type { ImageListRow } from '@layerkit/history';
import { forEachConcurrently } from './for-each-concurrently.js';
import { listedImagesOf, rowsOf } from './image-list-rows.js';
import type { ImageSource } from './image-source.js';

/** Tags resolved at once: a registry serves a few requests in parallel well, a hundred badly. */
const TAG_CONCURRENCY = 4;

/** One row per tag of `source` (per platform for a multi-platform tag), in the registry's tag order. */
export async function listRegistryImages(source: ImageSource, repository: string): Promise<ImageListRow[]> {
  const tags = await source.tags();
  const rowsByTag = new Map<string, ImageListRow[]>();
  await forEachConcurrently(tags, TAG_CONCURRENCY, async (tag) => {
    const images = await listedImagesOf(source.blobs, await source.root(tag));
    rowsByTag.set(tag, rowsOf([{ repository, tag }], images));
  });
  return tags.flatMap((tag) => rowsByTag.get(tag) ?? []);
}
