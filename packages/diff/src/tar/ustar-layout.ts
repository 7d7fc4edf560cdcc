/**
 * The USTAR header block layout (docs/design.md#compat-layer-writer), shared by the tar reader and writer.
 */

/** Tar block size: headers are one block, bodies are padded to a whole number of blocks. */
export const BLOCK_SIZE = 512;

/** Field offsets and lengths within a header block. */
export const FIELD = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  checksum: [148, 8],
  typeflag: [156, 1],
  linkName: [157, 100],
  magic: [257, 8],
  uname: [265, 32],
  gname: [297, 32],
  devMajor: [329, 8],
  devMinor: [337, 8],
  prefix: [345, 155],
} as const satisfies Record<string, readonly [number, number]>;

/** Number of padding bytes that follow `size` bytes of body. */
export function paddingFor(size: number): number {
  return (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
}
