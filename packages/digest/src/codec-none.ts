/** The identity codec, for uncompressed `…tar` layers. */
import type { ByteSource, Codec } from './contracts.js';

async function* passThrough(source: ByteSource): ByteSource {
  yield* source;
}

/** Passes bytes through unchanged in both directions. */
export const noneCodec: Codec = {
  name: 'none',
  compress: (source) => passThrough(source),
  decompress: (source) => passThrough(source),
};
