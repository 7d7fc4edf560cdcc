/**
 * `createIndex`: a multi-platform image — `dest` becomes an OCI index of the given images, each
 * listed with the platform its config names (`docker manifest create`, `buildah manifest`).
 * Everything that could refuse the index is checked first, reading only manifests and configs
 * (two images for one platform, a destination that holds no index); then the images are copied
 * in (untagged), and the index, with the tag, comes last.
 */
import { LayerkitError } from '@layerkit/digest';
import { createNativeSha256 } from '@layerkit/digest/node';
import { encodeDocument } from '../../json/raw.js';
import { isIndexMediaType, MediaTypes } from '../../media-types.js';
import type { Descriptor, ImageIndex, Platform } from '../../oci-types.js';
import { isAttestationEntry, platformText } from '../../parse/platform.js';
import { configPlatform } from '../../store/config-platform.js';
import { copyLayerBlobs } from '../../store/copy-image.js';
import type { ImageSource, ResolvedImage } from '../../store/image-source.js';
import { readIndex, resolveImage } from '../../store/resolve-image.js';
import { type OpenImageOptions, openImageSource } from '../store/open-image.js';
import { type ImageRefLike, toImageReference } from './image-ref.js';
import { bytesReporter, type ProgressOptions } from './progress.js';
import { withSink } from './with-image.js';

/** Options of {@link createIndex}. */
export interface CreateIndexOptions extends OpenImageOptions, ProgressOptions {
  /** The images to list: single images, or indexes whose images are all listed. */
  images: readonly ImageRefLike[];
  /** Where the index goes (a layout, an oci-archive or a registry; not a docker-archive). */
  dest: ImageRefLike;
  /** The index's own annotations. */
  annotations?: Record<string, string> | undefined;
}

/** How deep input indexes may nest (as in resolving: R11, docs/threat-model.md#r11). */
const MAX_DEPTH = 4;

/** One image of the index to be: its entry and the image itself. */
interface Planned {
  entry: Descriptor;
  image: ResolvedImage;
}

/** `os/arch[/variant]`, as `--platform` spells it (plus the OS version where one is set). */
function platformName(platform: Platform | undefined): string {
  if (platform === undefined) return 'an unknown platform';
  const name = platformText(platform);
  return platform['os.version'] ? `${name} (${platform['os.version']})` : name;
}

/** The images an input names, with their entries; an input index's images (nested ones too). */
async function planInput(source: ImageSource): Promise<Planned[]> {
  const root = await source.root();
  if (!isIndexMediaType(root.mediaType)) {
    const image = await source.resolve();
    // Only what describes the manifest: a store's own annotations (its tag) stay behind.
    const { mediaType, digest, size } = image.manifestDescriptor;
    const entry: Descriptor = { mediaType, digest, size, platform: configPlatform(image.config.value) };
    return [{ entry, image }];
  }
  const planned: Planned[] = [];
  const walk = async (index: Descriptor, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) {
      throw new LayerkitError('INDEX_TOO_DEEP', `index ${index.digest} nests more than ${MAX_DEPTH} deep`, {
        digest: index.digest,
      });
    }
    for (const child of (await readIndex(source.blobs, index)).value.manifests) {
      if (isIndexMediaType(child.mediaType)) await walk(child, depth + 1);
      else planned.push({ entry: child, image: await resolveImage(source.blobs, child, undefined) });
    }
  };
  await walk(root, 1);
  return planned;
}

/** Refuses two different images for one platform (attestations carry no platform of their own). */
function checkPlatforms(entries: readonly Descriptor[]): void {
  const seen = new Map<string, Descriptor>();
  for (const entry of entries) {
    if (isAttestationEntry(entry)) continue;
    const name = platformName(entry.platform);
    const other = seen.get(name);
    if (other !== undefined && other.digest !== entry.digest) {
      throw new LayerkitError(
        'DUPLICATE_PLATFORM',
        `two images for ${name}: ${other.digest} and ${entry.digest}`,
        {
          platform: name,
          digests: [other.digest, entry.digest],
        },
      );
    }
    seen.set(name, entry);
  }
}

/** Publishes in `dest` an index listing `images` and returns its descriptor. */
export async function createIndex(options: CreateIndexOptions): Promise<Descriptor> {
  if (options.images.length === 0) {
    throw new LayerkitError('INVALID_OPTION', 'an index needs at least one image', { option: 'images' });
  }
  return withSink(options.dest, options, async (sink) => {
    if (sink.refusesIndexes !== undefined) {
      throw new LayerkitError('UNSUPPORTED_INDEX', sink.refusesIndexes, { reference: String(options.dest) });
    }
    // Sources stay open until their images are copied: plan everything, then write.
    const sources: ImageSource[] = [];
    try {
      const planned: { source: ImageSource; images: Planned[] }[] = [];
      for (const ref of options.images) {
        const source = await openImageSource(toImageReference(ref), options);
        sources.push(source);
        planned.push({ source, images: await planInput(source) });
      }
      const entries = planned.flatMap(({ images }) => images.map(({ entry }) => entry));
      checkPlatforms(entries);
      let copied = 0;
      const report = bytesReporter(options, 'copy');
      for (const { source, images } of planned) {
        for (const { image } of images) {
          const before = copied;
          // A checkpoint per image too: with every layer already there, no bytes are reported.
          report(copied);
          await copyLayerBlobs(source, sink, image.manifest.value.layers, (bytes) => {
            copied = before + bytes;
            report(copied);
          });
          await sink.publish(image, { untagged: true });
        }
      }
      report(copied);
      const unique = [...new Map(entries.map((entry) => [entry.digest, entry])).values()];
      const index: ImageIndex = { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: unique };
      if (options.annotations !== undefined) index.annotations = options.annotations;
      return await sink.publishIndex(encodeDocument(index, { hasher: createNativeSha256 }));
    } finally {
      await Promise.all(sources.map((source) => source.close()));
    }
  });
}
