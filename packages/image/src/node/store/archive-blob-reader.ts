/**
 * Verified blob reads straight out of an uncompressed archive, by offset: no extraction,
 * no temp files. The member's size is checked against the ref before reading, the digest
 * as the last chunk is delivered (R2, docs/threat-model.md#r2).
 */
import {
  type BlobRef,
  BlobVerifier,
  type ByteSource,
  type Digest,
  type DigestRuntime,
} from '@layerkit/digest';
import { blobCorrupt, blobMissing } from '@layerkit/digest/internal';
import type { BlobReader } from '../../store/blob-reader.js';
import { type ArchiveFile, type ArchiveMember, readArchiveBytes } from './archive-members.js';

const CHUNK_BYTES = 1024 * 1024;

/** Finds the archive member holding a blob (by validated digest). */
export type MemberLocator = (digest: Digest) => ArchiveMember | undefined;

/** Locates blobs at the OCI layout path `blobs/<alg>/<encoded>` inside the archive. */
export function layoutMemberLocator(archive: ArchiveFile): MemberLocator {
  return (digest) => archive.members.get(`blobs/${digest.replace(':', '/')}`);
}

/** A {@link BlobReader} over an archive's members. */
export function archiveBlobReader(
  archive: ArchiveFile,
  locate: MemberLocator,
  runtime: DigestRuntime,
): BlobReader {
  const open = (ref: BlobRef): { member: ArchiveMember; verifier: BlobVerifier } => {
    const verifier = new BlobVerifier(ref, runtime.sha256);
    const member = locate(ref.digest);
    if (member === undefined) throw blobMissing(ref.digest);
    if (member.size !== ref.size) throw blobCorrupt(ref, `size ${member.size}, expected ${ref.size}`);
    return { member, verifier };
  };
  return {
    has: async (digest) => locate(digest) !== undefined,
    async get(ref) {
      const { member, verifier } = open(ref);
      const bytes = new Uint8Array(member.size);
      readArchiveBytes(archive, bytes, member.offset);
      verifier.add(bytes);
      verifier.finish();
      return bytes;
    },
    stream(ref): ByteSource {
      return (async function* () {
        const { member, verifier } = open(ref);
        if (member.size === 0) verifier.finish();
        for (let done = 0; done < member.size; ) {
          // A fresh buffer per chunk: consumers may keep chunks (the ByteSource contract).
          const chunk = new Uint8Array(Math.min(CHUNK_BYTES, member.size - done));
          readArchiveBytes(archive, chunk, member.offset + done);
          verifier.add(chunk);
          done += chunk.length;
          if (done === member.size) verifier.finish();
          yield chunk;
        }
      })();
    },
  };
}
