/**
 * Byte-string paths (see contracts.ts): conversion at the edges, the one global order, and the
 * path algebra. `BytePath` is a branded string, so a UTF-8 `string` is not one. A `BytePath` is
 * made by a conversion (`pathFromBytes`, `pathFromUtf8`), by path algebra on other `BytePath`s
 * (`parentPath`, `baseName`, `slicePath`, `joinPath`, `pathComponents`, `joinComponents`), or by
 * the one unchecked cast, `asBytePath`, for strings that already hold one byte per char. The
 * brand is type-only: every helper is the plain string operation, with no check and no copy.
 */
import type { BytePath } from './contracts.js';

/**
 * Declares that `latin1` already holds one raw name byte per char (0–255): the one unchecked
 * cast, free at run time, for code that has names as bytes-as-latin1 strings already. Legitimate
 * only for strings made that way: Node's `'latin1'` decoding of raw names (`readdirSync`,
 * `readlinkSync`, `Buffer.toString('latin1')`: the directory walk and the disk apply target),
 * the snapshot format's `%XX` decoder, a byte-string xattr name, and names built from
 * `BytePath`s and ASCII text only (whiteout names, a directory's `dir/` tar name, sort keys).
 * Never for text from a user or a UTF-8 decode: convert that with {@link pathFromUtf8}.
 */
export function asBytePath(latin1: string): BytePath {
  return latin1 as BytePath;
}

/**
 * The empty byte path `''`: the root of a tree (never an entry; the parent of top-level entries),
 * or no name at all (a tar header's empty link name).
 */
export const EMPTY_PATH: BytePath = asBytePath('');

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });
const utf8Encoder = new TextEncoder();

/** Converts raw name bytes to a byte-string path. */
export function pathFromBytes(bytes: Uint8Array): BytePath {
  let out = '';
  // Chunked to keep String.fromCharCode's argument list small.
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return asBytePath(out);
}

/** Converts a byte-string path back to its raw bytes. */
export function pathToBytes(path: BytePath): Uint8Array {
  const out = new Uint8Array(path.length);
  for (let i = 0; i < path.length; i++) out[i] = path.charCodeAt(i);
  return out;
}

/** Converts a normal (UTF-16) JavaScript string to a byte-string path holding its UTF-8 bytes. */
export function pathFromUtf8(text: string): BytePath {
  return pathFromBytes(utf8Encoder.encode(text));
}

/** Decodes a byte-string path as UTF-8 for display (invalid bytes become U+FFFD). */
export function pathToUtf8(path: BytePath): string {
  return utf8Decoder.decode(pathToBytes(path));
}

/**
 * The global tree order: compares byte by byte with `/` ranked below every other byte, so a
 * directory's descendants come right after it (`a` < `a/b` < `a.b`), as containerd's walk does.
 */
export function comparePaths(a: BytePath, b: BytePath): number {
  // Equal paths are the common case of a diff (the same path on both sides): one native compare.
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      if (x === 0x2f) return -1;
      if (y === 0x2f) return 1;
      return x - y;
    }
  }
  return a.length - b.length;
}

/** The parent of a path (`''`, the root, for a top-level entry). */
export function parentPath(path: BytePath): BytePath {
  const i = path.lastIndexOf('/');
  return i < 0 ? EMPTY_PATH : slicePath(path, 0, i);
}

/** The last component of a path. */
export function baseName(path: BytePath): BytePath {
  return slicePath(path, path.lastIndexOf('/') + 1);
}

/** The bytes of `path` from `start` up to `end` (`String.prototype.slice`: a byte range is bytes). */
export function slicePath(path: BytePath, start: number, end?: number): BytePath {
  return asBytePath(path.slice(start, end));
}

/** `dir/name`, or `name` alone in the root (`dir` is `''`). */
export function joinPath(dir: BytePath, name: BytePath): BytePath {
  return dir === '' ? name : asBytePath(`${dir}/${name}`);
}

/** The `/`-separated components of a path (`['']` for the root). */
export function pathComponents(path: BytePath): BytePath[] {
  return path.split('/') as BytePath[];
}

/** Components joined with `/`: the inverse of {@link pathComponents}. */
export function joinComponents(components: readonly BytePath[]): BytePath {
  return asBytePath(components.join('/'));
}

/** True when `descendant` lies strictly inside directory `ancestor` (`''` is the root). */
export function isInside(descendant: BytePath, ancestor: BytePath): boolean {
  if (ancestor === '') return descendant !== '';
  return (
    descendant.length > ancestor.length &&
    descendant.startsWith(ancestor) &&
    descendant.charCodeAt(ancestor.length) === 0x2f
  );
}
