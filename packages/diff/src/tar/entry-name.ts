/**
 * What a layer tar entry's name means, written once for the reader, apply and the archive stores:
 * the lexical cleaning of untrusted names (docs/design.md#compat-names; T1, T2, T4) and the
 * whiteout names (docs/design.md#compat-whiteouts; T10, T26). Threat ids are those of
 * docs/threat-model.md.
 */
import { LayerkitError } from '@layerkit/digest';
import type { BytePath, LayerEntry } from '../contracts.js';
import {
  asBytePath,
  baseName,
  joinComponents,
  joinPath,
  parentPath,
  pathComponents,
  pathToUtf8,
  slicePath,
} from '../path.js';

/** The basename prefix of an explicit whiteout: `.wh.<name>` deletes `<name>`. */
export const WHITEOUT_PREFIX = '.wh.';

/** The basename that marks its directory opaque (hides every lower child). */
export const OPAQUE_MARKER = '.wh..wh..opq';

// AUFS metadata (`.wh..wh.plnk`, `.wh..wh.aufs`, …) shares this prefix with the opaque marker.
const AUFS_METADATA_PREFIX = '.wh..wh.';

// Names that can be returned unchanged: no leading `/` or `.`, no `//`, no `/.`, no trailing `/`.
const NEEDS_CLEANING = /^[/.]|\/\/|\/\.|\/$/;

/**
 * What an entry's name means; every path is a normalized tree path. A whiteout and an opaque
 * marker are the very `LayerEntry` values the diff engine produces and the writer consumes.
 */
export type EntryName =
  /** The root itself (`./`, `/`, `a/..`): skipped, never applied to the root (T4). */
  | { kind: 'root' }
  /** Legacy AUFS bookkeeping (`.wh..wh.plnk/…` etc.): carries no tree content; skipped (T26). */
  | { kind: 'aufs-metadata'; path: BytePath }
  /** An ordinary entry: a file system object at `path`. */
  | { kind: 'plain'; path: BytePath }
  /** `whiteout`: deletes `path` from the lower layers; `opaque`: hides every lower child of directory `path`. */
  | Exclude<LayerEntry, { kind: 'entry' }>;

/**
 * Normalizes a raw name lexically: strips every leading `/`, then resolves `.`, `..` and empty
 * components (POSIX `normalize`) and drops the trailing `/`. Only `/` and `.` are special, so any
 * string of `/`-separated names works: byte strings here, UTF-8 member names in the archive stores.
 * The result holds only components of `name`, so a `BytePath` normalizes to a `BytePath`.
 *
 * Returns `''` for names that denote the root (`./`, `/`, `a/..`), and `null` when a `..` climbs
 * above the root (`../x`, `a/../../x`). Backslashes and other bytes are ordinary name bytes on
 * Linux and are kept (T2).
 */
export function normalizeEntryName(name: BytePath): BytePath | null;
export function normalizeEntryName(name: string): string | null;
export function normalizeEntryName(name: string): string | null {
  if (!NEEDS_CLEANING.test(name)) return name;
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.pop() === undefined) return null;
  }
  return parts.join('/');
}

/**
 * Classifies a raw entry name: the root, AUFS metadata, an explicit whiteout, an opaque marker or
 * an ordinary entry.
 *
 * Throws `LayerkitError('TAR_PATH_ESCAPE')` naming the entry when the name climbs above the root
 * (T1), and `LayerkitError('INVALID_WHITEOUT')` naming the path for whiteouts that target nothing
 * or something outside their directory (`.wh.`, `.wh..`, `.wh...`) and for a whiteout name used as
 * a directory (`.wh.a/b`): both are hostile or corrupt (T10).
 */
export function classifyEntryName(name: BytePath): EntryName {
  const path = localName(name, name);
  if (path === '') return { kind: 'root' };
  if (!path.includes(WHITEOUT_PREFIX)) return { kind: 'plain', path };
  const parts = pathComponents(path);
  const last = parts.length - 1;
  for (let i = 0; i < last; i++) {
    const part = parts[i]!;
    if (part.startsWith(AUFS_METADATA_PREFIX)) return { kind: 'aufs-metadata', path };
    if (part.startsWith(WHITEOUT_PREFIX))
      throw invalidWhiteout(path, 'a whiteout name is used as a directory');
  }
  const base = parts[last]!;
  if (!base.startsWith(WHITEOUT_PREFIX)) return { kind: 'plain', path };
  const dir = joinComponents(parts.slice(0, last));
  if (base === OPAQUE_MARKER) return { kind: 'opaque', path: dir };
  if (base.startsWith(AUFS_METADATA_PREFIX)) return { kind: 'aufs-metadata', path };
  const target = slicePath(base, WHITEOUT_PREFIX.length);
  if (target === '' || target === '.' || target === '..') {
    throw invalidWhiteout(path, 'the whiteout names no entry of its directory');
  }
  return { kind: 'whiteout', path: joinPath(dir, target) };
}

/** The name of the whiteout that deletes `path` (`a/.wh.b` for `a/b`). */
export function whiteoutPath(path: BytePath): BytePath {
  return joinPath(parentPath(path), asBytePath(WHITEOUT_PREFIX + baseName(path)));
}

/** The name of the opaque marker of directory `dir` (`dir/.wh..wh..opq`). */
export function opaqueMarkerPath(dir: BytePath): BytePath {
  return joinPath(dir, asBytePath(OPAQUE_MARKER));
}

/**
 * Normalizes the hardlink target of entry `entryName` like a name (T7): an absolute target is
 * relative to the root. Throws `LayerkitError('TAR_PATH_ESCAPE')` naming both when it climbs
 * above the root.
 */
export function localLinkTarget(linkName: BytePath, entryName: BytePath): BytePath {
  return localName(linkName, entryName);
}

function localName(name: BytePath, entryName: BytePath): BytePath {
  const path = normalizeEntryName(name);
  if (path !== null) return path;
  const entry = `tar entry ${JSON.stringify(pathToUtf8(entryName))}`;
  const what = name === entryName ? entry : `${entry}: hardlink target ${JSON.stringify(pathToUtf8(name))}`;
  const details = name === entryName ? { name: entryName } : { name: entryName, linkName: name };
  throw new LayerkitError('TAR_PATH_ESCAPE', `${what} leaves the root`, details);
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
