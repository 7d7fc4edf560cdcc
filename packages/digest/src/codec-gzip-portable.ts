/**
 * gzip in pure JavaScript (fflate): the portable codec. Streams in both directions; the
 * header has mtime 0 and no file name, so equal input and level give equal bytes.
 */
import { Gunzip, Gzip } from 'fflate';
import { corruptCompressedData } from './codec-errors.js';
import { resolveLevel } from './compression-level.js';
import type { ByteSource, Codec, CompressOptions } from './contracts.js';
import { outputQueue, pumpPushStream } from './push-stream.js';

/**
 * fflate's Deflate output depends on how its input is pushed: fixed-size pushes make the
 * bytes depend on the input alone.
 */
const GZIP_PUSH_BYTES = 64 * 1024;
/**
 * fflate's Gunzip recurses once per member and copies the rest of its pending input each
 * time: small pushes bound both the stack depth and the copying (docs/design.md#compat-compression,
 * CVE-2022-30631), and a member cap bounds the total work on hostile input.
 */
const GUNZIP_PUSH_BYTES = 16 * 1024;
/** Far above honest multi-member output (100k members of 1 MiB blocks is 100 GiB). */
export const MAX_GZIP_MEMBERS = 100_000;

function compress(source: ByteSource, options?: CompressOptions): ByteSource {
  const level = resolveLevel('gzip', options?.level) as 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  const [output, ondata] = outputQueue();
  return pumpPushStream(
    source,
    new Gzip({ level, mtime: 0 }, ondata),
    output,
    GZIP_PUSH_BYTES,
    (e) => e as Error,
  );
}

function decompress(source: ByteSource): ByteSource {
  // The streaming Gunzip reads every member; gunzipSync would silently stop after the first.
  const [output, ondata] = outputQueue();
  const gunzip = new Gunzip(ondata);
  let members = 1;
  gunzip.onmember = () => {
    members += 1;
    if (members > MAX_GZIP_MEMBERS) throw new Error(`more than ${MAX_GZIP_MEMBERS} gzip members`);
  };
  return pumpPushStream(source, gunzip, output, GUNZIP_PUSH_BYTES, (error) =>
    corruptCompressedData('gzip', error),
  );
}

/**
 * gzip via fflate, for runtimes without Node's zlib (about 3× slower). Decompression reads
 * every member but, unlike zlib, does not check the gzip CRC-32: the blob digest and DiffID do.
 */
export const portableGzipCodec: Codec = { name: 'gzip', compress, decompress };
