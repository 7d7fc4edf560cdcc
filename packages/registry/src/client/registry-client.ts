/**
 * The registry client build tools call: one per registry host (tokens and connections are
 * shared by every repository on it), speaking the OCI distribution API in digests and bytes.
 * Everything it returns is verified: manifests against the digest asked for or announced,
 * blobs against their size and digest while they stream.
 */
import type { BlobRef, BlobWriter, Digest, DigestRuntime } from '@layerkit/digest';
import { LayerkitError, parseDigest } from '@layerkit/digest';
import { RegistryHttp, type RegistryHttpOptions } from '../http/registry-http.js';
import { registryProtocolError } from '../registry-errors.js';
import { type DownloadOptions, downloadBlob } from './blob-download.js';
import { type BlobUpload, startUpload, type UploadOptions } from './blob-upload.js';
import { MANIFEST_ACCEPT, manifestMediaType } from './manifest-media-type.js';

/** Options of a registry client. */
export interface RegistryClientOptions extends RegistryHttpOptions {
  /** Hashing for verification (`nodeRuntime` in Node, `portableRuntime` elsewhere). */
  runtime: Pick<DigestRuntime, 'sha256'>;
  /**
   * Upload in PATCHes of this many bytes (resent from the registry's offset on failure), for
   * registries behind proxies that cap request bodies. Default: one streamed PATCH per blob.
   */
  chunkSize?: number | undefined;
  /** The largest manifest or index accepted (default 4 MiB, distribution's own limit). */
  maxManifestBytes?: number | undefined;
}

/** Cancellation for one call. */
export interface CallOptions {
  /** Aborts the call: its requests and retry waits stop, and it rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/** A manifest as the registry served it: its exact bytes and the descriptor they make. */
export interface FetchedManifest {
  /** The descriptor of `bytes`, as an index would list them. */
  descriptor: {
    /** The media type: `Content-Type`, or the document's `mediaType` when the header is generic or absent. */
    mediaType: string;
    /** The sha256 of `bytes`, checked against the digest asked for and `Docker-Content-Digest`. */
    digest: Digest;
    /** The length of `bytes`. */
    size: number;
  };
  /** The manifest exactly as served (its digest depends on every byte). */
  bytes: Uint8Array;
}

const MAX_TAG_PAGES = 10_000;

/** A client for one registry host, e.g. `docker.io`, `ghcr.io` or `127.0.0.1:5000`. */
export class RegistryClient {
  /** The registry host as references name it. */
  readonly registry: string;
  readonly #http: RegistryHttp;
  readonly #options: RegistryClientOptions;

  constructor(registry: string, options: RegistryClientOptions) {
    this.registry = registry;
    this.#options = options;
    this.#http = new RegistryHttp(registry, options);
  }

  /** Checks that the registry answers the v2 API (and learns how it authenticates). */
  async ping(options: CallOptions = {}): Promise<void> {
    await this.#http.base(options.signal);
  }

  /**
   * Fetches a manifest or index by tag or digest. The bytes are verified against the digest
   * asked for, else against the registry's `Docker-Content-Digest`; the size is capped.
   */
  async getManifest(
    repository: string,
    reference: string,
    options: CallOptions = {},
  ): Promise<FetchedManifest> {
    const what = `manifest ${this.registry}/${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
    const max = this.#options.maxManifestBytes ?? 4 * 1024 * 1024;
    const tooLarge = () =>
      new LayerkitError('MANIFEST_TOO_LARGE', `${what} is larger than ${max} bytes`, {
        reference: what,
        limit: max,
      });
    const { response, bytes } = await this.#http.fetchBytes(
      {
        method: 'GET',
        url: `${repository}/manifests/${reference}`,
        headers: { Accept: MANIFEST_ACCEPT },
        scopes: [{ repository, actions: ['pull'] }],
        ok: [200],
        what,
        notFound: 'IMAGE_NOT_FOUND',
        followRedirects: true,
        signal: options.signal,
      },
      max,
      tooLarge,
    );
    const digest = this.#options.runtime.sha256().update(bytes).digest();
    const wanted = reference.includes(':') ? parseDigest(reference) : undefined;
    const announced = response.headers.get('docker-content-digest');
    const mismatch = (claimed: string, by: string) =>
      new LayerkitError('DIGEST_MISMATCH', `${what}: the bytes hash to ${digest}, not ${claimed} (${by})`, {
        reference: what,
        expected: claimed,
        actual: digest,
      });
    if (wanted !== undefined && wanted !== digest) throw mismatch(wanted, 'the requested digest');
    if (announced?.startsWith('sha256:') && announced !== digest) {
      throw mismatch(announced, "the registry's Docker-Content-Digest");
    }
    const mediaType = manifestMediaType(response.headers.get('content-type'), bytes);
    if (mediaType === undefined)
      throw registryProtocolError(what, response.url, 'the manifest has no media type');
    return { descriptor: { mediaType, digest, size: bytes.length }, bytes };
  }

  /** True when `repository` holds the blob `digest` (HEAD). */
  async hasBlob(repository: string, digest: Digest, options: CallOptions = {}): Promise<boolean> {
    const response = await this.#http.send({
      method: 'HEAD',
      url: `${repository}/blobs/${digest}`,
      scopes: [{ repository, actions: ['pull'] }],
      ok: [200, 404],
      what: `blob ${digest}`,
      followRedirects: true,
      signal: options.signal,
    });
    await response.cancel();
    return response.status === 200;
  }

  /** Streams a blob, verified against `ref` (size and digest) as it arrives. */
  fetchBlob(repository: string, ref: BlobRef, options: DownloadOptions = {}): AsyncIterable<Uint8Array> {
    return downloadBlob(this.#http, repository, ref, this.#options.runtime.sha256, options);
  }

  /**
   * Asks the registry to make `digest` from repository `from` (same registry) available in
   * `repository` without sending it. Returns false when it would not (the blob must be sent).
   */
  async mountBlob(
    repository: string,
    digest: Digest,
    from: string,
    options: CallOptions = {},
  ): Promise<boolean> {
    const upload = await startUpload(this.#http, repository, this.#options.runtime.sha256, {
      signal: options.signal,
      mount: { digest, from },
    });
    if (upload === 'mounted') return true;
    await upload.abort();
    return false;
  }

  /**
   * Opens an upload into `repository`: write chunks, then `commit(expected?)`. The bytes go up
   * while the next ones are written; memory stays bounded (a few MiB) whatever the blob's size.
   */
  async blobWriter(repository: string, options: UploadOptions = {}): Promise<BlobWriter> {
    const upload = await startUpload(this.#http, repository, this.#options.runtime.sha256, {
      ...options,
      chunkSize: options.chunkSize ?? this.#options.chunkSize,
    });
    return upload as BlobUpload;
  }

  /**
   * Uploads `content` unless the registry already holds it (`expected`, or the digest of bytes
   * given whole: then nothing is sent) and returns its ref. With `expected`, content that does
   * not match fails before the final PUT.
   */
  async pushBlob(
    repository: string,
    content: Uint8Array | AsyncIterable<Uint8Array>,
    expected?: BlobRef,
    options: UploadOptions = {},
  ): Promise<BlobRef> {
    // Bytes in hand are hashed first, so that a blob the registry holds is never sent.
    const known =
      expected ??
      (content instanceof Uint8Array
        ? { digest: this.#options.runtime.sha256().update(content).digest(), size: content.length }
        : undefined);
    if (known !== undefined && (await this.hasBlob(repository, known.digest, options))) return known;
    // Bytes hashed here need no second hash while they go up.
    const writer = await this.blobWriter(
      repository,
      content instanceof Uint8Array ? { ...options, known: options.known ?? known } : options,
    );
    try {
      if (content instanceof Uint8Array) await writer.write(content);
      else for await (const chunk of content) await writer.write(chunk);
      return await writer.commit(expected);
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }

  /**
   * Stores a manifest or index under `reference` (a tag, or its own digest) with its exact
   * bytes and media type; returns its digest. Push every blob it references first.
   */
  async putManifest(
    repository: string,
    reference: string,
    bytes: Uint8Array,
    mediaType: string,
    options: CallOptions = {},
  ): Promise<Digest> {
    const digest = this.#options.runtime.sha256().update(bytes).digest();
    const what = `manifest ${this.registry}/${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
    if (reference.includes(':') && reference !== digest) {
      throw new LayerkitError('DIGEST_MISMATCH', `${what}: the manifest bytes hash to ${digest}`, {
        reference: what,
        expected: reference,
        actual: digest,
      });
    }
    const response = await this.#http.send({
      method: 'PUT',
      url: `${repository}/manifests/${reference}`,
      headers: { 'Content-Type': mediaType, 'Content-Length': String(bytes.length) },
      body: bytes,
      scopes: [{ repository, actions: ['pull', 'push'] }],
      ok: [200, 201, 202],
      what,
      signal: options.signal,
    });
    await response.cancel();
    const stored = response.headers.get('docker-content-digest');
    if (stored?.startsWith('sha256:') && stored !== digest) {
      throw registryProtocolError(what, response.url, `stored the manifest as ${stored}, not ${digest}`);
    }
    return digest;
  }

  /** Every tag of `repository`, following the registry's pagination (`Link: <…>; rel="next"`). */
  async listTags(repository: string, options: CallOptions = {}): Promise<string[]> {
    const tags: string[] = [];
    let url: string | undefined = `${repository}/tags/list`;
    // Pages already read: a `next` link back to one of them is a loop, not more tags.
    const seen = new Set<string>();
    for (let page = 0; url !== undefined; page++) {
      if (page === MAX_TAG_PAGES) throw registryProtocolError(`tags of ${repository}`, url, 'too many pages');
      const pageUrl = url;
      const { response, bytes } = await this.#http.fetchBytes(
        {
          method: 'GET',
          url,
          scopes: [{ repository, actions: ['pull'] }],
          ok: [200],
          what: `tags of ${this.registry}/${repository}`,
          notFound: 'IMAGE_NOT_FOUND',
          signal: options.signal,
        },
        4 * 1024 * 1024,
        () => registryProtocolError(`tags of ${repository}`, pageUrl, 'the tag list page is over 4 MiB'),
      );
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        throw registryProtocolError(`tags of ${repository}`, response.url, 'the tag list is not JSON');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw registryProtocolError(`tags of ${repository}`, response.url, 'the tag list is malformed');
      }
      const listing = parsed as { tags?: unknown };
      if (listing.tags !== null && listing.tags !== undefined) {
        if (!Array.isArray(listing.tags) || !listing.tags.every((tag) => typeof tag === 'string')) {
          throw registryProtocolError(`tags of ${repository}`, response.url, 'the tag list is malformed');
        }
        tags.push(...listing.tags);
      }
      seen.add(response.url);
      const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(response.headers.get('link') ?? '')?.[1];
      try {
        url = next === undefined ? undefined : new URL(next, response.url).href;
      } catch {
        throw registryProtocolError(`tags of ${repository}`, response.url, 'the next tag page is no URL');
      }
      if (url !== undefined && seen.has(url)) {
        throw registryProtocolError(`tags of ${repository}`, url, 'the tag list pages loop');
      }
    }
    return tags;
  }

  /** Deletes the manifest `digest` (and with it every tag pointing at it), where the registry allows it. */
  async deleteManifest(repository: string, digest: Digest, options: CallOptions = {}): Promise<void> {
    const what = `manifest ${this.registry}/${repository}@${digest}`;
    const response = await this.#http.send({
      method: 'DELETE',
      url: `${repository}/manifests/${digest}`,
      scopes: [{ repository, actions: ['delete'] }],
      ok: [200, 202, 405],
      what,
      notFound: 'IMAGE_NOT_FOUND',
      signal: options.signal,
    });
    await response.cancel();
    if (response.status === 405) {
      throw new LayerkitError(
        'REGISTRY_UNSUPPORTED',
        `${what}: the registry does not allow deleting manifests`,
        {
          reference: what,
        },
      );
    }
  }
}
