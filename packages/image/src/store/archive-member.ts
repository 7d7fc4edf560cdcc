/**
 * The members of an image archive (a plain tar of an OCI layout): ustar headers, padding and the
 * end blocks, and where a blob goes. Portable: the file writer in `./node` and the in-memory
 * oci-archive write the same bytes.
 */
import { TYPEFLAG } from '@layerkit/diff/internal';
import { type Digest, LayerkitError } from '@layerkit/digest';

/** A tar block. */
export const ARCHIVE_BLOCK = 512;
/** The two zero blocks that end an archive. */
export const ARCHIVE_END: Uint8Array = new Uint8Array(2 * ARCHIVE_BLOCK);

/** The member name of a blob in an OCI layout inside an archive. */
export function blobMemberName(digest: Digest): string {
  return `blobs/${digest.replace(':', '/')}`;
}

/** The zero bytes that pad a member of `size` bytes to a whole block (none when it fills one). */
export function archivePadding(size: number): Uint8Array {
  const rest = size % ARCHIVE_BLOCK;
  return rest === 0 ? ARCHIVE_END.subarray(0, 0) : ARCHIVE_END.subarray(0, ARCHIVE_BLOCK - rest);
}

const encoder = new TextEncoder();
const MAX_OCTAL_SIZE = 8 ** 11 - 1;

/**
 * One ustar header block for an archive member: root-owned, mtime 0 (like `ctr export`),
 * mode 0644/0755. Member names here are `blobs/sha256/<hex>` and a few fixed files, so they
 * always fit the 100-byte name field; sizes past 8 GiB use the GNU base-256 form.
 */
export function archiveMemberHeader(
  name: string,
  size: number,
  typeflag: typeof TYPEFLAG.file | typeof TYPEFLAG.dir,
): Uint8Array {
  const nameBytes = encoder.encode(name);
  if (nameBytes.length > 100) {
    throw new LayerkitError('ARCHIVE_NAME_TOO_LONG', `archive member name too long: ${name}`, { name });
  }
  const block = new Uint8Array(ARCHIVE_BLOCK);
  block.set(nameBytes, 0);
  writeOctal(block, 100, 8, typeflag === TYPEFLAG.dir ? 0o755 : 0o644);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  if (size <= MAX_OCTAL_SIZE) {
    writeOctal(block, 124, 12, size);
  } else {
    block[124] = 0x80;
    for (let i = 135, rest = size; i > 124; i--, rest = Math.floor(rest / 256)) block[i] = rest % 256;
  }
  writeOctal(block, 136, 12, 0);
  block[156] = typeflag.charCodeAt(0);
  block.set(encoder.encode('ustar\u000000'), 257);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  writeOctal(block, 148, 7, sum);
  return block;
}

/** Zero-padded octal digits followed by NUL, filling `width` bytes. */
function writeOctal(block: Uint8Array, offset: number, width: number, value: number): void {
  block.set(encoder.encode(value.toString(8).padStart(width - 1, '0')), offset);
  block[offset + width - 1] = 0;
}
