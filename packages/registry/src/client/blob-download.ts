/**
 * A blob download that can be trusted: size and digest verified while the bytes arrive (a long
 * or wrong blob fails as soon as it shows), redirects to blob storage followed, and a broken
 * connection resumed with a `Range` request instead of starting over.
 */
import { type BlobRef, BlobVerifier, type HasherFactory, isLayerkitError } from '@layerkit/digest';
import { blobCorrupt } from '@layerkit/digest/internal';
import type { RegistryHttp, RegistryResponse } from '../http/registry-http.js';
import { registryProtocolError } from '../registry-errors.js';

/** Options of one download. */
export interface DownloadOptions {
  /** Aborts the download: the stream stops and throws the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Called with the bytes received so far. */
  onProgress?: ((bytes: number) => void) | undefined;
}

/** Resumes after a dropped connection at most this often per blob. */
const MAX_RESUMES = 3;

/** The first byte of a `206` answer's `Content-Range: bytes START-END/SIZE`. */
function rangeStart(response: RegistryResponse): number | undefined {
  const match = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
  return match === null ? undefined : Number(match[1]);
}

/** Streams `ref` from `repository`, verified. */
export async function* downloadBlob(
  http: RegistryHttp,
  repository: string,
  ref: BlobRef,
  sha256: HasherFactory,
  options: DownloadOptions = {},
): AsyncIterable<Uint8Array> {
  const verifier = new BlobVerifier(ref, sha256);
  const what = `blob ${ref.digest}`;
  for (let resumes = 0; ; resumes++) {
    const offset = verifier.size;
    const response = await http.send({
      method: 'GET',
      url: `${repository}/blobs/${ref.digest}`,
      headers: offset > 0 ? { Range: `bytes=${offset}-` } : {},
      scopes: [{ repository, actions: ['pull'] }],
      ok: offset > 0 ? [200, 206] : [200],
      what,
      notFound: 'BLOB_MISSING',
      followRedirects: true,
      signal: options.signal,
    });
    let skip = 0;
    if (offset > 0 && response.status === 206) {
      if (rangeStart(response) !== offset) {
        await response.cancel();
        throw registryProtocolError(what, response.url, `asked for bytes from ${offset}, got another range`);
      }
    } else {
      skip = offset; // the server ignored the Range: drop what was already verified
      const length = response.headers.get('content-length');
      if (length !== null && /^\d+$/.test(length) && Number(length) !== ref.size) {
        await response.cancel();
        throw blobCorrupt(ref, `the registry announces ${length} bytes, expected ${ref.size}`);
      }
    }
    try {
      for await (let chunk of response.body) {
        if (skip > 0) {
          const dropped = Math.min(skip, chunk.length);
          skip -= dropped;
          chunk = chunk.subarray(dropped);
          if (chunk.length === 0) continue;
        }
        verifier.add(chunk);
        options.onProgress?.(verifier.size);
        yield chunk;
      }
    } catch (error) {
      const resumable =
        isLayerkitError(error) &&
        (error.code === 'REGISTRY_UNREACHABLE' || error.code === 'REGISTRY_TIMEOUT') &&
        resumes < MAX_RESUMES &&
        verifier.size < ref.size;
      if (!resumable) throw error;
      continue;
    }
    verifier.finish();
    return;
  }
}
