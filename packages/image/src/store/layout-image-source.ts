/**
 * An {@link ImageSource} over anything shaped like an OCI image layout (a directory, an
 * oci-archive, a Docker ≥ 25 archive): `oci-layout` is checked (R13), `index.json` is read
 * capped and strictly parsed on every call (a long-lived source sees new tags), and tags are
 * the descriptors' `org.opencontainers.image.ref.name`.
 * Threat ids (Rn) are those of docs/threat-model.md#read.
 */
import { LayerkitError } from '@layerkit/digest';
import { JsonSizeLimits } from '../json/strict-parse.js';
import type { Descriptor, ImageIndex } from '../oci-types.js';
import { parseIndex } from '../parse/index-document.js';
import { parseOciLayoutHeader } from '../parse/layout-header.js';
import type { PlatformWant, ResolveLimits } from '../parse/platform.js';
import type { BlobReader } from './blob-reader.js';
import type { ImageSource, ResolvedImage } from './image-source.js';
import { pickImage } from './pick-image.js';
import { resolveImage } from './resolve-image.js';
import { listTags, tagOf } from './tagged-index.js';

/** The two non-content-addressed files of a layout. */
export type LayoutFileName = 'index.json' | 'oci-layout';

/** How a layout's storage is reached. */
export interface LayoutAccess {
  /** What the layout is, for messages (a directory or archive path). */
  readonly location: string;
  /** Reads a top-level file; undefined when absent; `JSON_TOO_LARGE` when over `maxBytes`. */
  readFile(name: LayoutFileName, maxBytes: number): Promise<Uint8Array | undefined>;
  readonly blobs: BlobReader;
  close(): Promise<void>;
}

/** Options of {@link layoutImageSource}. */
export interface LayoutSourceOptions {
  /** The platform chosen from multi-platform images when `resolve` names none (Node: the host's). */
  platform?: PlatformWant | undefined;
  limits?: ResolveLimits | undefined;
}

/** Wraps layout storage as an image source. */
export function layoutImageSource(access: LayoutAccess, options: LayoutSourceOptions = {}): ImageSource {
  const readIndexJson = () => readLayoutIndex(access);
  return {
    blobs: access.blobs,
    async resolve(tag?: string, platform?: PlatformWant): Promise<ResolvedImage> {
      const index = await readIndexJson();
      return resolveImage(
        access.blobs,
        imageIn(index, tag, access.location),
        platform ?? options.platform,
        options.limits,
      );
    },
    async root(tag?: string): Promise<Descriptor> {
      return imageIn(await readIndexJson(), tag, access.location);
    },
    async tags() {
      return listTags(await readIndexJson());
    },
    close: () => access.close(),
  };
}

/** Reads `oci-layout` (must exist, version 1.x: R13) and then `index.json` (must exist). */
export async function readLayoutIndex(
  access: Pick<LayoutAccess, 'location' | 'readFile'>,
): Promise<ImageIndex> {
  const header = await access.readFile('oci-layout', JsonSizeLimits.layoutHeader);
  if (header === undefined) throw notALayout(access.location, 'oci-layout');
  parseOciLayoutHeader(header);
  const indexBytes = await access.readFile('index.json', JsonSizeLimits.index);
  if (indexBytes === undefined) throw notALayout(access.location, 'index.json');
  return parseIndex(indexBytes).value;
}

/** The descriptor a tag names, or the only image when no tag is given (see `pickImage`). */
function imageIn(index: ImageIndex, tag: string | undefined, location: string): Descriptor {
  const tagsOf = (descriptor: Descriptor) => {
    const own = tagOf(descriptor);
    return own === undefined ? [] : [own];
  };
  return pickImage({ location, images: index.manifests, tagsOf }, tag === undefined ? undefined : { tag });
}

function notALayout(location: string, missing: LayoutFileName): LayerkitError {
  return new LayerkitError(
    'NOT_AN_OCI_LAYOUT',
    `${location} is not an OCI image layout: ${missing} is missing`,
    {
      location,
      missing,
    },
  );
}
