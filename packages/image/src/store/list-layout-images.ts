/**
 * The `layerkit images` rows of anything shaped like an OCI layout (a directory, an oci-archive):
 * one row per `index.json` entry (per platform for an index), named by its ref.name, in index order.
 */
import type { ImageListRow } from '@layerkit/history';
import { listedImagesOf, rowsOf } from './image-list-rows.js';
import { type LayoutAccess, readLayoutIndex } from './layout-image-source.js';
import { listedName } from './listed-name.js';
import { tagOf } from './tagged-index.js';

/** Every entry of the layout's `index.json`, untagged ones as `<none>`. */
export async function listLayoutImages(
  access: Pick<LayoutAccess, 'location' | 'readFile' | 'blobs'>,
): Promise<ImageListRow[]> {
  const index = await readLayoutIndex(access);
  const rows: ImageListRow[] = [];
  for (const descriptor of index.manifests) {
    rows.push(...rowsOf([listedName(tagOf(descriptor))], await listedImagesOf(access.blobs, descriptor)));
  }
  return rows;
}
