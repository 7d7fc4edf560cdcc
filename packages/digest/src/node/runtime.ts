/** The Node runtime: native SHA-256, block-parallel gzip, zlib gunzip, and zstd where Node has it. */
import { noneCodec } from '../codec-none.js';
import type { DigestRuntime } from '../contracts.js';
import { selectCodec } from '../runtime.js';
import { nodeGzipCodec } from './codec-gzip-node.js';
import { nodeZstdCodec } from './codec-zstd-node.js';
import { createNativeSha256 } from './native-sha256.js';

/** node:crypto hashing and node:zlib codecs: the fast paths for Node. */
export const nodeRuntime: DigestRuntime = {
  sha256: createNativeSha256,
  codec: (name) =>
    selectCodec(name, { none: () => noneCodec, gzip: () => nodeGzipCodec, zstd: nodeZstdCodec }),
};
