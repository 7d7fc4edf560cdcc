/**
 * oci-archive: a plain tar of an OCI image layout (what `skopeo copy … oci-archive:F` and
 * `podman save --format oci-archive` write). Read by offset without extraction; written in
 * one streamed pass with `index.json` last.
 */
import { nodeRuntime } from '@layerkit/digest/node';
import { ociArchiveFormat } from '../../store/archive-format.js';
import type { ImageSink } from '../../store/image-sink.js';
import type { ImageSource } from '../../store/image-source.js';
import { layoutImageSource, readLayoutIndex } from '../../store/layout-image-source.js';
import { openArchiveSink } from './archive-image-sink.js';
import { archiveLayoutAccess } from './archive-layout-access.js';
import { openArchiveFile } from './archive-members.js';
import { hostPlatform } from './host-platform.js';

/** Opens an oci-archive for reading (`NOT_AN_OCI_LAYOUT` when it holds no layout). */
export async function openOciArchiveSource(path: string): Promise<ImageSource> {
  const access = archiveLayoutAccess(openArchiveFile(path), nodeRuntime);
  try {
    await readLayoutIndex(access);
  } catch (error) {
    await access.close();
    throw error;
  }
  return layoutImageSource(access, { platform: hostPlatform() });
}

/**
 * Opens `path` for writing an oci-archive; `tag` (a ref.name; podman names the image after it,
 * so a full reference such as `example.com/app:1` is the portable choice) is the default tag.
 */
export function openOciArchiveSink(path: string, tag?: string): ImageSink {
  return openArchiveSink(path, ociArchiveFormat, tag, nodeRuntime);
}
