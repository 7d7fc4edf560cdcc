/**
 * The portable deflate as a choice on any runtime: gzip through fflate (pinned, pure
 * JavaScript) instead of the runtime's native compressor, so the same layer tar gives the same
 * compressed bytes — and so the same layer digest and image digest — in Node, a browser, Deno or
 * Bun (docs/design.md#portable-deflate). Hashing and the other codecs stay the runtime's own.
 */
import { portableGzipCodec } from './codec-gzip-portable.js';
import type { DigestRuntime } from './contracts.js';

/**
 * Which deflate writes gzip: `'native'`, the runtime's fastest (block-parallel `node:zlib` in
 * Node); `'portable'`, fflate in pure JavaScript, byte-identical on every runtime and slower.
 */
export type DeflateChoice = 'native' | 'portable';

/**
 * `runtime` with its gzip codec replaced by the portable one (fflate, single stream, mtime 0,
 * fixed-size pushes): identical gzip bytes on every runtime for equal input and level.
 */
export function withPortableDeflate(runtime: DigestRuntime): DigestRuntime {
  return {
    sha256: runtime.sha256,
    codec: (name) => (name === 'gzip' ? portableGzipCodec : runtime.codec(name)),
  };
}

/** `runtime` as it is for `'native'` (or no choice), {@link withPortableDeflate} of it for `'portable'`. */
export function runtimeWithDeflate(
  runtime: DigestRuntime,
  deflate: DeflateChoice | undefined,
): DigestRuntime {
  return deflate === 'portable' ? withPortableDeflate(runtime) : runtime;
}
