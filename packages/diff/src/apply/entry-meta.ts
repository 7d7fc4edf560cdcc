/**
 * Turns a tar header's metadata into what an applier may set: times clamped (moby `boundTime`,
 * T24), extended attributes passed through an allowlist (T16). The tar reader already bounds
 * uid/gid to 0..2^32-2. Threat ids (T16, T24) are those of docs/threat-model.md.
 */
import type { BytePath, TarHeader } from '../contracts.js';
import type { ApplyTally, EntryMeta } from './apply-types.js';

/** The latest mtime a file system can hold as signed 64-bit nanoseconds. */
const MAX_TIME_NS = (1n << 63n) - 1n;
/** Linux refuses xattr values above 64 KiB (XATTR_SIZE_MAX). */
const MAX_XATTR_VALUE_BYTES = 65_536;
/** More attributes than any real file carries: a hostile header could list thousands. */
const MAX_XATTRS_PER_ENTRY = 64;

/** overlayfs' metadata when mounted with `userxattr` (as layerkit mounts): never a layer's to set. */
const USER_OVERLAY_PREFIX = 'user.overlay.';

/**
 * Only these namespaces survive an apply: file capabilities and user attributes. `trusted.*`
 * (overlayfs' own metadata), `user.overlay.*` (the same under `userxattr`), `security.selinux`
 * (host policy) and the rest are dropped.
 */
export function isAllowedXattr(name: string): boolean {
  if (name.startsWith(USER_OVERLAY_PREFIX)) return false;
  return name === 'security.capability' || (name.startsWith('user.') && name.length > 5);
}

/** Clamps an mtime to what a file system can hold; anything outside becomes the epoch, as in moby. */
export function clampMtimeNs(mtimeNs: bigint): bigint {
  return mtimeNs < 0n || mtimeNs > MAX_TIME_NS ? 0n : mtimeNs;
}

function allowedXattrs(
  header: TarHeader,
  path: BytePath,
  tally: ApplyTally,
): ReadonlyMap<string, Uint8Array> {
  if (header.xattrs.size === 0) return header.xattrs;
  const kept = new Map<string, Uint8Array>();
  for (const [name, value] of header.xattrs) {
    let reason: string | undefined;
    if (!isAllowedXattr(name)) reason = 'namespace not allowed';
    else if (value.length > MAX_XATTR_VALUE_BYTES)
      reason = `value larger than ${MAX_XATTR_VALUE_BYTES} bytes`;
    else if (kept.size === MAX_XATTRS_PER_ENTRY) reason = `more than ${MAX_XATTRS_PER_ENTRY} attributes`;
    if (reason === undefined) kept.set(name, value);
    else tally.droppedXattrs.push({ path, name, reason });
  }
  return kept;
}

/** The metadata to set for the entry at `path`; records dropped attributes in `tally`. */
export function entryMeta(header: TarHeader, path: BytePath, tally: ApplyTally): EntryMeta {
  return {
    uid: header.uid,
    gid: header.gid,
    mode: header.mode & 0o7777,
    mtimeNs: clampMtimeNs(header.mtimeNs),
    xattrs: allowedXattrs(header, path, tally),
  };
}
