import { createHash } from 'node:crypto';

/** `sha256:<hex>` of some bytes: how OCI names a blob, manifest or config. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
