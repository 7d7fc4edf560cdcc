/**
 * An {@link ImageSink} that writes an archive in one pass: directory members, then every
 * blob as it is stored, and at `close` the format's index files (last), the end blocks, an
 * fsync and the rename of a temporary sibling to `<file>`. Until then nothing is visible
 * at the target path; `abort` (or any failure in `close`) removes the temp file.
 */
import type { DigestRuntime } from '@layerkit/digest';
import type { ArchiveFormat } from '../../store/archive-format.js';
import { archivePublisher } from '../../store/archive-publisher.js';
import type { ImageSink } from '../../store/image-sink.js';
import { ArchiveBlobStore } from './archive-blob-store.js';
import { ArchiveFileWriter } from './archive-file-writer.js';

/** Opens an archive sink writing `path` in `format`; `tag` is the default for `publish`. */
export function openArchiveSink(
  path: string,
  format: ArchiveFormat,
  tag: string | undefined,
  runtime: DigestRuntime,
): ImageSink {
  if (tag !== undefined) format.checkTag(tag);
  const archive = new ArchiveFileWriter(path);
  try {
    archive.directory('blobs/');
    archive.directory('blobs/sha256/');
  } catch (error) {
    archive.abort();
    throw error;
  }
  const blobs = new ArchiveBlobStore(archive, runtime);
  const publisher = archivePublisher(blobs, format, tag, path);
  return {
    blobs,
    ...(format.refusesIndexes === undefined ? {} : { refusesIndexes: format.refusesIndexes }),
    publish: publisher.publish,
    publishIndex: publisher.publishIndex,
    async close() {
      try {
        for (const member of format.trailer(publisher.images())) archive.file(member.name, member.bytes);
        archive.commit();
      } catch (error) {
        archive.abort();
        throw error;
      }
    },
    async abort() {
      archive.abort();
    },
  };
}
