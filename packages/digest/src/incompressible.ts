/**
 * A cheap, deterministic test for data deflate cannot shrink (already-compressed files: .gz, .xz,
 * .png, encrypted blobs): the order-0 entropy of a byte histogram. Such blocks are stored rather
 * than searched for matches at the requested level — the search costs most of deflate's time on
 * random data and gains nothing — so a layer of large compressed files gzips several times faster.
 * Whether a block is stored depends only on its bytes, so the output stays reproducible.
 */

/** Bits per byte above which a block is treated as incompressible (8 is uniformly random). */
const STORE_ABOVE_BITS_PER_BYTE = 7.97;
/** Smaller blocks are never stored: the histogram of a few bytes says nothing. */
const MIN_BYTES = 16 * 1024;

/** True when `block`'s byte distribution is so flat that deflate cannot gain anything on it. */
export function looksIncompressible(block: Uint8Array): boolean {
  if (block.length < MIN_BYTES) return false;
  const counts = new Uint32Array(256);
  for (let i = 0; i < block.length; i++) counts[block[i]!]!++;
  let bits = 0;
  for (const count of counts) {
    if (count === 0) continue;
    const p = count / block.length;
    bits -= p * Math.log2(p);
  }
  return bits > STORE_ABOVE_BITS_PER_BYTE;
}
