/** The typed errors codecs throw, worded the same in every runtime. */
import type { CompressionName } from './contracts.js';
import { LayerkitError } from './errors.js';

/** A format (or a level of support for it) this runtime does not have; `reason` says why. */
export function unsupportedCompression(format: string, reason: string): LayerkitError {
  return new LayerkitError('UNSUPPORTED_COMPRESSION', `${format} compression is not supported: ${reason}`, {
    compression: format,
  });
}

/** Compressed input that does not decode: corrupt, truncated, or not this format. */
export function corruptCompressedData(format: CompressionName, cause: unknown): LayerkitError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new LayerkitError(
    'CORRUPT_COMPRESSED_DATA',
    `${format} data does not decompress: ${detail}`,
    {
      compression: format,
    },
    { cause },
  );
}
