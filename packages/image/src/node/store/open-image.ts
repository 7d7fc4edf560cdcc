/**
 * One entry point per direction for every transport: the image operations open
 * `oci:DIR[:TAG]`, `oci-archive:FILE[:TAG]`, `docker-archive:FILE[:NAME[:TAG]|:@N]` or
 * `docker://REFERENCE` without caring which it is. The reference's tag (or name, `@N`, digest)
 * is the default for `resolve`/`publish`. Only `docker://` references use the network.
 */
import { LayerkitError } from '@layerkit/digest';
import type { RegistryOptions } from '@layerkit/registry/node';

import type { ImageReference } from '../../reference/image-reference.js';
import { fullReference } from '../../store/docker-name.js';
import type { ImageSink } from '../../store/image-sink.js';
import type { ImageSource } from '../../store/image-source.js';
import { registryImageSink } from '../../store/registry-image-sink.js';
import { registryImageSource } from '../../store/registry-image-source.js';
import { openDockerArchiveSource } from './docker-archive-source.js';
import { openDockerArchiveSink } from './docker-archive-store.js';
import { hostPlatform } from './host-platform.js';
import { openOciArchiveSink, openOciArchiveSource } from './oci-archive-store.js';
import { openLayoutSink, openLayoutSource } from './oci-layout-store.js';
import { registryClient } from './registry-clients.js';

/** How stores are opened: settings for registries, and cancellation. */
export interface OpenImageOptions {
  /** Credentials, TLS and retry settings for `docker://` references, read from and written to. */
  registry?: RegistryOptions | undefined;
  /**
   * Settings for the registries images are read from, in place of `registry` (skopeo's
   * `--src-*` flags): a copy between two registries with their own credentials or TLS.
   */
  sourceRegistry?: RegistryOptions | undefined;
  /** Settings for the registry an image is written to, in place of `registry` (`--dest-*`). */
  destinationRegistry?: RegistryOptions | undefined;
  /** Aborts registry requests in flight. */
  signal?: AbortSignal | undefined;
}

/** The tag a reference selects, in the spelling its format's source and sink take. */
export function referenceTag(reference: ImageReference): string | undefined {
  if (reference.transport === 'docker') return reference.digest ?? reference.tag;
  if (reference.transport !== 'docker-archive') return reference.tag;
  if (reference.name !== undefined) return fullReference(reference.name);
  return reference.sourceIndex === undefined ? undefined : `@${reference.sourceIndex}`;
}

/** Opens the image store a reference names for reading; `resolve()` defaults to the reference's tag. */
export async function openImageSource(
  reference: ImageReference,
  options: OpenImageOptions = {},
): Promise<ImageSource> {
  const source =
    reference.transport === 'docker'
      ? registryImageSource(
          registryClient(reference.registry, options.sourceRegistry ?? options.registry),
          reference.repository,
          {
            platform: hostPlatform(),
            signal: options.signal,
          },
        )
      : reference.transport === 'oci'
        ? await openLayoutSource(reference.path)
        : reference.transport === 'oci-archive'
          ? await openOciArchiveSource(reference.path)
          : await openDockerArchiveSource(reference.path);
  const defaultTag = referenceTag(reference);
  return {
    blobs: source.blobs,
    ...(source.origin === undefined ? {} : { origin: source.origin }),
    resolve: (tag, platform) => source.resolve(tag ?? defaultTag, platform),
    root: (tag) => source.root(tag ?? defaultTag),
    tags: () => source.tags(),
    close: () => source.close(),
  };
}

/**
 * Opens the image store a reference names for writing (a layout is created or added to; an
 * archive is created, replacing any file there only at `close`). `publish()` tags with the
 * reference's tag.
 */
export async function openImageSink(
  reference: ImageReference,
  options: OpenImageOptions = {},
): Promise<ImageSink> {
  if (reference.transport === 'docker') {
    if (reference.digest !== undefined) {
      throw new LayerkitError(
        'INVALID_REFERENCE',
        `cannot write to a digest reference (${reference.repository}@${reference.digest}): name a tag`,
        {
          reference: `${reference.registry}/${reference.repository}@${reference.digest}`,
        },
      );
    }
    return registryImageSink(
      registryClient(reference.registry, options.destinationRegistry ?? options.registry),
      reference.repository,
      {
        tag: reference.tag,
        signal: options.signal,
      },
    );
  }
  const tag = referenceTag(reference);
  if (reference.transport === 'oci') return openLayoutSink(reference.path, tag);
  if (reference.transport === 'oci-archive') return openOciArchiveSink(reference.path, tag);
  return openDockerArchiveSink(reference.path, tag);
}
