/**
 * Writing a docker-archive (the `docker save` / `docker load` format) as Docker ≥ 25 writes it:
 * an OCI layout (`oci-layout`, blobs under `blobs/sha256/` unchanged so digests survive, an
 * `index.json` naming each tagged image by `io.containerd.image.name` and its tag) plus
 * `manifest.json` and, for tagged images with layers, `repositories`: all an older `docker
 * load` (20.10) reads. The archive sink streams the blobs as they are stored and these index
 * members last, at `close`. Single-platform images only: publishing an index fails with
 * `UNSUPPORTED_INDEX`. Reading an archive is `docker-archive-source.ts`.
 */
import { type Digest, digestHex } from '@layerkit/digest';
import { nodeRuntime } from '@layerkit/digest/node';
import { canonicalJson } from '../../json/canonical.js';
import type { ImageManifest } from '../../oci-types.js';
import { OCI_LAYOUT_HEADER } from '../../parse/layout-header.js';
import { REF_NAME_ANNOTATION } from '../../parse/ref-name.js';
import { type ArchivedImage, type ArchiveFormat, archiveIndex } from '../../store/archive-format.js';
import { blobMemberName } from '../../store/archive-member.js';
import {
  type DockerName,
  familiarReference,
  fullReference,
  parseDockerName,
} from '../../store/docker-name.js';
import {
  type DockerSaveItem,
  serializeDockerSaveManifest,
  serializeRepositories,
} from '../../store/docker-save-manifest.js';
import type { ImageSink } from '../../store/image-sink.js';
import { IMAGE_NAME_ANNOTATION } from '../../store/tagged-index.js';
import { openArchiveSink } from './archive-image-sink.js';

/**
 * Opens `path` for writing a docker-archive; `reference` (`name[:tag]`, e.g. `nginx:v2`) is
 * the default `RepoTags` entry. Without one the image is saved untagged, as `docker save <id>` does.
 */
export function openDockerArchiveSink(path: string, reference?: string): ImageSink {
  return openArchiveSink(path, dockerArchiveFormat, reference, nodeRuntime);
}

const dockerArchiveFormat: ArchiveFormat = {
  checkTag: (tag) => {
    parseDockerName(tag);
  },
  // manifest.json, what `docker load` reads, lists images; it has no place for an index.
  refusesIndexes:
    'a docker-archive holds single-platform images (pick one with --platform, or write an oci-archive)',
  trailer(archived) {
    // Indexes are refused above: every entry is an image with its manifest.
    const images = archived.filter(
      (image): image is ArchivedImage & { manifest: ImageManifest } => image.manifest !== undefined,
    );
    const named = images.map((image) => ({
      image,
      name: image.tag === undefined ? undefined : parseDockerName(image.tag),
    }));
    const index = archiveIndex(images, (image): Record<string, string> => {
      if (image.tag === undefined) return {};
      const name = parseDockerName(image.tag);
      return { [IMAGE_NAME_ANNOTATION]: fullReference(name), [REF_NAME_ANNOTATION]: name.tag };
    });
    const members = [
      { name: 'oci-layout', bytes: OCI_LAYOUT_HEADER },
      { name: 'index.json', bytes: canonicalJson(index) },
      { name: 'manifest.json', bytes: serializeDockerSaveManifest(saveItems(named)) },
    ];
    const repositories = serializeRepositories(
      named.flatMap(({ image, name }) => {
        const top = image.manifest.layers.at(-1);
        return name === undefined || top === undefined
          ? []
          : [
              {
                reference: { name: name.familiarRepository, tag: name.tag },
                topLayerHex: digestHex(top.digest),
              },
            ];
      }),
    );
    if (repositories !== undefined) members.push({ name: 'repositories', bytes: repositories });
    return members;
  },
};

/** One `manifest.json` item per manifest digest, with all its tags (as `docker save` groups them). */
function saveItems(
  named: readonly { image: ArchivedImage & { manifest: ImageManifest }; name: DockerName | undefined }[],
): DockerSaveItem[] {
  const items = new Map<Digest, DockerSaveItem>();
  for (const { image, name } of named) {
    let item = items.get(image.descriptor.digest);
    if (item === undefined) {
      item = {
        Config: blobMemberName(image.manifest.config.digest),
        RepoTags: [],
        Layers: image.manifest.layers.map((layer) => blobMemberName(layer.digest)),
      };
      items.set(image.descriptor.digest, item);
    }
    if (name !== undefined) item.RepoTags.push(familiarReference(name));
  }
  return [...items.values()];
}
