/**
 * OCI whiteout names (docs/design.md#compat-whiteouts; T10, T26 of docs/threat-model.md): which tar
 * paths delete or hide lower content.
 */
import { LayerkitError } from '@layerkit/digest';
import type { BytePath } from '../contracts.js';
import { pathToUtf8 } from '../path.js';

/** The basename prefix of an explicit whiteout: `.wh.<name>` deletes `<name>`. */
export const WHITEOUT_PREFIX = '.wh.';

/** The basename that marks its directory opaque (hides every lower child). */
export const OPAQUE_MARKER = '.wh..wh..opq';

// AUFS metadata (`.wh..wh.plnk`, `.wh..wh.aufs`, …) shares this prefix with the opaque marker.
const AUFS_METADATA_PREFIX = '.wh..wh.';

/** What a whiteout-named path means in a layer. */
export type WhiteoutClass =
  /** Delete `target` (full tree path) from the lower layers. */
  | { kind: 'whiteout'; target: BytePath }
  /** Hide every lower child of directory `dir` (`''` is the root). */
  | { kind: 'opaque'; dir: BytePath }
  /** Legacy AUFS bookkeeping (`.wh..wh.plnk/…` etc.): carries no tree content; skip it. */
  | { kind: 'aufs-metadata' };

/**
 * Classifies a normalized tree path (see `normalizeEntryName`): an explicit whiteout, an opaque
 * marker, AUFS metadata, or `null` for an ordinary path.
 *
 * Throws `LayerkitError('INVALID_WHITEOUT')` naming the path for whiteouts that target nothing
 * or something outside their directory (`.wh.`, `.wh..`, `.wh...`), and for a whiteout name used
 * as a directory (`.wh.a/b`): both are hostile or corrupt (T10).
 */
export function classifyWhiteout(path: BytePath): WhiteoutClass | null {
  if (!path.includes(WHITEOUT_PREFIX)) return null;
  const parts = path.split('/');
  const last = parts.length - 1;
  for (let i = 0; i < last; i++) {
    const part = parts[i]!;
    if (part.startsWith(AUFS_METADATA_PREFIX)) return { kind: 'aufs-metadata' };
    if (part.startsWith(WHITEOUT_PREFIX))
      throw invalidWhiteout(path, 'a whiteout name is used as a directory');
  }
  const base = parts[last]!;
  if (!base.startsWith(WHITEOUT_PREFIX)) return null;
  const dir = parts.slice(0, last).join('/');
  if (base === OPAQUE_MARKER) return { kind: 'opaque', dir };
  if (base.startsWith(AUFS_METADATA_PREFIX)) return { kind: 'aufs-metadata' };
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (name === '' || name === '.' || name === '..') {
    throw invalidWhiteout(path, 'the whiteout names no entry of its directory');
  }
  return { kind: 'whiteout', target: dir === '' ? name : `${dir}/${name}` };
}

function invalidWhiteout(path: BytePath, why: string): LayerkitError {
  return new LayerkitError(
    'INVALID_WHITEOUT',
    `invalid whiteout ${JSON.stringify(pathToUtf8(path))}: ${why}`,
    {
      path,
    },
  );
}
