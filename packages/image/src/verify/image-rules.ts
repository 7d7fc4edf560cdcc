/**
 * Every rule `verify` checks on an image's documents alone (no layer bytes read): layer media
 * types, config timestamps, platform fields and annotations, of the manifest, its config and the
 * index that lists it. The rules themselves are in this folder, one per file.
 */
import type { Digest } from '@layerkit/digest';
import type { Descriptor, ImageIndex } from '../oci-types.js';
import type { ResolvedImage } from '../store/image-source.js';
import { checkAnnotations } from './annotation-rules.js';
import { checkConfigTimes } from './config-time-rules.js';
import type { VerifyProblem } from './finding.js';
import { checkLayerMediaTypes } from './layer-media-type-rules.js';
import { checkEntryPlatform, checkPlatformFields } from './platform-rules.js';

/** The index an image was found in (a multi-platform image's, or a layout's `index.json`). */
export interface ListingIndex {
  /** The index's digest, or the file it is (`index.json`). */
  name: Digest | string;
  /** The index. */
  index: ImageIndex;
}

/** The findings of the document rules on `image`, listed by the indexes in `listing` (outermost first). */
export function checkImageDocuments(
  image: ResolvedImage,
  listing: readonly ListingIndex[] = [],
): VerifyProblem[] {
  const manifestDigest = image.manifestDescriptor.digest;
  const configDigest = image.manifest.value.config.digest;
  const manifest = image.manifest.value;
  const config = image.config.value;
  return [
    ...listing.flatMap(({ name, index }) => checkIndex(index, `index ${name}`)),
    // Listed by an index, the manifest's descriptor is one of its entries, checked there.
    ...(listing.length === 0
      ? checkAnnotations(image.manifestDescriptor.annotations, `the descriptor of manifest ${manifestDigest}`)
      : []),
    ...checkEntryPlatform(image.manifestDescriptor, config, configDigest),
    ...checkAnnotations(manifest.annotations, `manifest ${manifestDigest}`),
    ...checkAnnotations(manifest.config.annotations, `manifest ${manifestDigest} config`),
    ...manifest.layers.flatMap((layer, i) =>
      checkAnnotations(layer.annotations, `manifest ${manifestDigest} layers[${i}]`),
    ),
    ...checkLayerMediaTypes(manifest, manifestDigest),
    ...checkPlatformFields(config, `config ${configDigest}`),
    ...checkConfigTimes(config, configDigest),
  ];
}

function checkIndex(index: ImageIndex, where: string): VerifyProblem[] {
  return [
    ...checkAnnotations(index.annotations, where),
    ...index.manifests.flatMap((entry: Descriptor, i) => [
      ...checkAnnotations(entry.annotations, `${where} manifests[${i}]`),
      ...(entry.platform === undefined
        ? []
        : checkPlatformFields(entry.platform, `${where} manifests[${i}].platform`)),
    ]),
  ];
}
