/**
 * The `layerkit images docker-archive:FILE` rows: one per `RepoTags` entry of each image in
 * `manifest.json` (`<none>` for an image without one), from its config and the sizes of its layer
 * members. No layer is read, so a classic archive (whose manifests layerkit would have to build
 * by hashing every layer) shows no manifest digest.
 */
import { nodeRuntime } from '@layerkit/digest/node';
import type { ImageListRow } from '@layerkit/history';
import { JsonSizeLimits } from '../../json/strict-parse.js';
import { parseConfig } from '../../parse/config.js';
import { checkLayersMatchDiffIds } from '../../parse/layer-count.js';
import { listedImage, rowsOf } from '../../store/image-list-rows.js';
import { listedName } from '../../store/listed-name.js';
import { openArchiveFile, readSmallMember } from './archive-members.js';
import { dockerArchiveMember, dockerSaveItems } from './docker-archive-contents.js';

/** Every image of the docker-archive at `path`, in `manifest.json` order. */
export function listDockerArchiveImages(path: string): ImageListRow[] {
  const archive = openArchiveFile(path);
  try {
    return dockerSaveItems(archive).flatMap((item) => {
      const configMember = dockerArchiveMember(archive, item.Config);
      const configBytes = readSmallMember(archive, configMember.name, JsonSizeLimits.config)!;
      const config = parseConfig(configBytes, undefined, { hasher: nodeRuntime.sha256 });
      const layers = item.Layers.map((layer) => dockerArchiveMember(archive, layer));
      // R7, as when reading: the count alone decides.
      checkLayersMatchDiffIds({ config, layers }, config.value);
      const names = item.RepoTags.length === 0 ? [listedName(undefined)] : item.RepoTags.map(listedName);
      return rowsOf(names, [listedImage(config, layers)]);
    });
  } finally {
    archive.close();
  }
}
