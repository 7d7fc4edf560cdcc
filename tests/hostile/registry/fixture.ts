/**
 * Shared pieces of the hostile-registry suites: a fresh registry (and a second host, for
 * redirects) per test, clients on the Node transport and on the portable fetch transport with
 * tiny retry delays, test images, and the checks every failure makes.
 */
import { isLayerkitError, type LayerkitError, portableRuntime } from '@layerkit/digest';
import { nodeRuntime } from '@layerkit/digest/node';
import { fetchTransport, RegistryClient, type RegistryClientOptions } from '@layerkit/registry';
import { createRegistryClient, type RegistryOptions } from '@layerkit/registry/node';
import { afterEach, beforeEach, expect } from 'vitest';
import { bytesOf } from '../../fixtures/deterministic-bytes.js';
import { type HostileRegistry, sha256, startHostileRegistry } from './hostile-registry.js';

export { bytesOf };

/** Retries that take no noticeable time. */
export const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 50 } as const;

/** What {@link useRegistries} gives each test. */
export interface Registries {
  /** The registry under test. */
  registry: HostileRegistry;
  /** Another host (a storage backend, a token server, an attacker). */
  other: HostileRegistry;
}

/** Registers hooks that start two fresh registries for every test and stop them after it. */
export function useRegistries(): Registries {
  const context = {} as Registries;
  beforeEach(async () => {
    context.registry = await startHostileRegistry();
    context.other = await startHostileRegistry();
  });
  afterEach(async () => {
    await context.registry.close();
    await context.other.close();
  });
  return context;
}

/** Registry options for tests: anonymous unless `creds` is given, fast retries, short timeouts. */
export function testOptions(options: RegistryOptions = {}): RegistryOptions {
  return {
    creds: async () => undefined,
    retry: FAST_RETRY,
    requestTimeoutMs: 5_000,
    idleTimeoutMs: 5_000,
    ...options,
  };
}

/** A client on the Node transport (what the image operations use). */
export function nodeClient(registry: HostileRegistry, options: RegistryOptions = {}): RegistryClient {
  return createRegistryClient(registry.host, testOptions(options));
}

/** A client on the portable transport: the global `fetch` and the portable hasher. */
export function fetchClient(
  registry: HostileRegistry,
  options: Partial<RegistryClientOptions> = {},
): RegistryClient {
  return new RegistryClient(registry.host, {
    transport: fetchTransport(),
    runtime: portableRuntime,
    retry: FAST_RETRY,
    requestTimeoutMs: 5_000,
    idleTimeoutMs: 5_000,
    ...options,
  });
}

/** Both transports, for `describe.each`. */
export const TRANSPORTS = [
  { name: 'node transport', client: nodeClient },
  {
    name: 'fetch transport',
    client: (registry: HostileRegistry, options: RegistryOptions = {}) =>
      fetchClient(registry, {
        ...(options.retry === undefined ? {} : { retry: options.retry }),
        ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
        ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
        ...(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }),
        ...(typeof options.creds === 'object' ? { credentials: async () => options.creds as never } : {}),
      }),
  },
] as const;

/** Awaits `promise` and returns the LayerkitError it rejects with; fails otherwise. */
export async function rejection(promise: Promise<unknown>): Promise<LayerkitError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) return expect.fail(`expected a LayerkitError, it resolved`);
  if (!isLayerkitError(outcome.error)) throw outcome.error;
  return outcome.error;
}

/**
 * Awaits `promise`, failing when it has not settled after `ms` of wall time: a generous bound
 * that proves "did not hang" without timing anything that works.
 */
export async function settlesWithin<T>(promise: Promise<T>, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms: it hangs`)), ms);
  });
  try {
    return await Promise.race([promise, hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads a whole stream. */
export async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** A blob stored in the registry's repository `repository`: its bytes and ref. */
export function seedBlob(registry: HostileRegistry, repository: string, seed: number, size: number) {
  const bytes = bytesOf(seed, size);
  const ref = registry.putBlob(repository, bytes);
  return { bytes, ref: ref as { digest: never; size: number } };
}

/** A digest of no content anybody stored. */
export const FOREIGN_DIGEST = sha256(Buffer.from('not the content'));

/** An OCI manifest document (bytes) referencing `config` and `layers`. */
export function manifestBytes(
  config: { digest: string; size: number },
  layers: { digest: string; size: number }[],
): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: layers.map((layer) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer })),
    }),
  );
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** The native runtime, for tests that hash like the Node client does. */
export { nodeRuntime };
