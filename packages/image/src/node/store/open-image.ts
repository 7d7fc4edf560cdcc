/**
 * One entry point per direction for every transport: the image operations open
 * `oci:DIR[:TAG]`, `oci-archive:FILE[:TAG]` or `docker-archive:FILE[:NAME[:TAG]|:@N]` without
 * caring which it is. The reference's tag (or name, or `@N`) is the default for `resolve`/`publish`.
 */

import type { ImageReference } from '../../reference/image-reference.js';
import { fullReference } from '../../store/docker-name.js';
import type { ImageSink } from '../../store/image-sink.js';
import type { ImageSource } from '../../store/image-source.js';
import { openDockerArchiveSource } from './docker-archive-source.js';
import { openDockerArchiveSink } from './docker-archive-store.js';
import { openOciArchiveSink, openOciArchiveSource } from './oci-archive-store.js';
import { openLayoutSink, openLayoutSource } from './oci-layout-store.js';

/** The tag a reference selects, in the spelling its format's source and sink take. */
export function referenceTag(reference: ImageReference): string | undefined {
  if (reference.transport !== 'docker-archive') return reference.tag;
  if (reference.name !== undefined) return fullReference(reference.name);
  return reference.sourceIndex === undefined ? undefined : `@${reference.sourceIndex}`;
}

/** Opens the image store a reference names for reading; `resolve()` defaults to the reference's tag. */
export async function openImageSource(reference: ImageReference): Promise<ImageSource> {
  const source =
    reference.transport === 'oci'
      ? await openLayoutSource(reference.path)
      : reference.transport === 'oci-archive'
        ? await openOciArchiveSource(reference.path)
        : await openDockerArchiveSource(reference.path);
  const defaultTag = referenceTag(reference);
  return {
    blobs: source.blobs,
    resolve: (tag, platform) => source.resolve(tag ?? defaultTag, platform),
    tags: () => source.tags(),
    close: () => source.close(),
  };
}

/**
 * Opens the image store a reference names for writing (a layout is created or added to; an
 * archive is created, replacing any file there only at `close`). `publish()` tags with the
 * reference's tag.
 */
export async function openImageSink(reference: ImageReference): Promise<ImageSink> {
  const tag = referenceTag(reference);
  if (reference.transport === 'oci') return openLayoutSink(reference.path, tag);
  if (reference.transport === 'oci-archive') return openOciArchiveSink(reference.path, tag);
  return openDockerArchiveSink(reference.path, tag);
}
