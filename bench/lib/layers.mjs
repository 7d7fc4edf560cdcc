/**
 * Reading back what a tool wrote into an OCI layout: the layers of a tag, and the entries of the
 * layers a commit added on top of its base (checked outside the timed region).
 */
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';

/**
 * The path of a blob in a layout.
 * @param {string} layout
 * @param {string} digest
 * @returns {string}
 */
export function blobPath(layout, digest) {
  const [algorithm, hex] = digest.split(':');
  return join(layout, 'blobs', algorithm, hex);
}

/**
 * The layer descriptors of the image tagged `tag` in `layout`, bottom first.
 * @param {string} layout
 * @param {string} tag
 * @returns {Array<{mediaType: string, digest: string, size: number}>}
 */
export function imageLayers(layout, tag) {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (entry === undefined) throw new Error(`${layout}: no tag ${tag}`);
  return JSON.parse(readFileSync(blobPath(layout, entry.digest), 'utf8')).layers;
}

/** Adds the entries of one layer blob to `counts`, by tar type. */
async function countLayer(layout, layer, counts) {
  const extract = tar.extract();
  extract.on('entry', (header, body, next) => {
    counts[header.type] = (counts[header.type] ?? 0) + 1;
    body.on('end', next);
    body.resume();
  });
  const source = createReadStream(blobPath(layout, layer.digest));
  const gzipped = layer.mediaType.endsWith('+gzip') || layer.mediaType.endsWith('.tar.gzip');
  await (gzipped ? pipeline(source, createGunzip(), extract) : pipeline(source, extract));
}

/**
 * What `tag` added on top of `baseTag` (every layer when there is no base): the number of layers,
 * their stored (compressed) bytes and their entries by tar type (`file`, `directory`, …). A commit that found no change adds
 * no layer at all, as Docker does.
 * @param {string} layout
 * @param {string} tag
 * @param {string} [baseTag]
 * @returns {Promise<{addedLayers: number, layerBytes: number, layerEntries: number, layerFiles: number, types: Record<string, number>}>}
 */
export async function addedLayerEntries(layout, tag, baseTag) {
  const below = baseTag === undefined ? 0 : imageLayers(layout, baseTag).length;
  const added = imageLayers(layout, tag).slice(below);
  const types = {};
  for (const layer of added) await countLayer(layout, layer, types);
  const layerEntries = Object.values(types).reduce((a, b) => a + b, 0);
  const layerBytes = added.reduce((sum, layer) => sum + layer.size, 0);
  return { addedLayers: added.length, layerBytes, layerEntries, layerFiles: types.file ?? 0, types };
}
