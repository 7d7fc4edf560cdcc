/**
 * Byte-string paths (see contracts.ts): conversion at the edges and the one global order.
 */
import type { BytePath } from './contracts.js';

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });
const utf8Encoder = new TextEncoder();

/** Converts raw name bytes to a byte-string path. */
export function pathFromBytes(bytes: Uint8Array): BytePath {
  let out = '';
  // Chunked to keep String.fromCharCode's argument list small.
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
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

/** The parent of a path (`''` for a top-level entry). */
export function parentPath(path: BytePath): BytePath {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** The last component of a path. */
export function baseName(path: BytePath): BytePath {
  return path.slice(path.lastIndexOf('/') + 1);
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
