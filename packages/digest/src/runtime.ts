/** The portable runtime: pure-JavaScript hashing, gzip and zstd decoding, usable in any JS engine. */
import { unsupportedCompression } from './codec-errors.js';
import { portableGzipCodec } from './codec-gzip-portable.js';
import { noneCodec } from './codec-none.js';
import { portableZstdCodec } from './codec-zstd-portable.js';
import type { Codec, CompressionName, DigestRuntime } from './contracts.js';
import { createPortableSha256 } from './sha256-hasher.js';

/**
 * Picks a runtime's codec, rejecting names outside `CompressionName` (they can arrive from
 * untrusted JSON or the command line) with the same error as an unavailable format.
 */
export function selectCodec(
  name: CompressionName,
  codecs: Partial<Record<CompressionName, () => Codec>>,
): Codec {
  const make = Object.hasOwn(codecs, name) ? codecs[name] : undefined;
  if (make === undefined) throw unsupportedCompression(String(name), 'unknown compression format');
  return make();
}

/**
 * @noble/hashes SHA-256, fflate gzip and fzstd zstd. zstd is read only: its `compress` throws
 * `UNSUPPORTED_COMPRESSION` (no portable encoder is bundled).
 */
export const portableRuntime: DigestRuntime = {
  sha256: createPortableSha256,
  codec: (name) =>
    selectCodec(name, {
      none: () => noneCodec,
      gzip: () => portableGzipCodec,
      zstd: () => portableZstdCodec,
    }),
};
