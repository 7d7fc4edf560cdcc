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

/** The histogram reads this many evenly spaced windows of {@link WINDOW_BYTES}: 64 KiB of a 1 MiB block. */
const WINDOWS = 16;
const WINDOW_BYTES = 4096;

/**
 * True when `block`'s byte distribution is so flat that deflate cannot gain anything on it.
 * Large blocks are judged on evenly spaced windows (a sixteenth of a 1 MiB block), so the test
 * costs little next to compressing; the windows depend only on the block's length.
 */
export function looksIncompressible(block: Uint8Array): boolean {
  if (block.length < MIN_BYTES) return false;
  const counts = new Uint32Array(256);
  let sampled = 0;
  const sample = (from: number, to: number) => {
    for (let i = from; i < to; i++) counts[block[i]!]!++;
    sampled += to - from;
  };
  if (block.length <= WINDOWS * WINDOW_BYTES) sample(0, block.length);
  else {
    const stride = Math.floor(block.length / WINDOWS);
    for (let w = 0; w < WINDOWS; w++) sample(w * stride, w * stride + WINDOW_BYTES);
  }
  let bits = 0;
  for (const count of counts) {
    if (count === 0) continue;
    const p = count / sampled;
    bits -= p * Math.log2(p);
  }
  return bits > STORE_ABOVE_BITS_PER_BYTE;
}
