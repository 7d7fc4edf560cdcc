/**
 * The record `unpack` leaves beside a rootfs: which image it came from. A commit trusts the
 * snapshot only when the record names the very manifest it is committing on top of.
 */
import type { Digest } from '@layerkit/digest';
import { readRegularFile } from '@layerkit/digest/internal/node';

/** Which image a rootfs was unpacked from. */
export interface UnpackedImageRecord {
  ref: string;
  manifestDigest: Digest;
  configDigest: Digest;
}

/** Reads the record at `file`; undefined when it is absent or unreadable (then no fast path). */
export function readUnpackedImageRecord(file: string): UnpackedImageRecord | undefined {
  try {
    const text = new TextDecoder().decode(readRegularFile(file, { followSymlinks: true }));
    const value = JSON.parse(text) as Partial<UnpackedImageRecord>;
    if (typeof value.manifestDigest !== 'string' || typeof value.configDigest !== 'string') return undefined;
    return value as UnpackedImageRecord;
  } catch {
    return undefined;
  }
}
