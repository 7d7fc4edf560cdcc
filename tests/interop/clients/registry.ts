import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type Daemon, startDaemon, waitUntilReady } from './daemon.js';
import { sha256Digest } from './digest.js';
import { makeScratchDir, removeScratchDir } from './scratch.js';
import { copy } from './skopeo.js';

/** Manifest media types asked for, so the registry serves what was pushed, unconverted. */
const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(',');

/** A manifest as served by the registry API. */
export interface RegistryManifest {
  /** sha256 of the served bytes. */
  readonly digest: string;
  /** The registry's own `Docker-Content-Digest` header. */
  readonly headerDigest: string | null;
  readonly mediaType: string | null;
  readonly bytes: Buffer;
}

/** A private docker-registry (distribution 2.8) on 127.0.0.1, plain HTTP, storage in a temp dir. */
export interface Registry {
  /** `127.0.0.1:PORT`. */
  readonly address: string;
  /** `docker://127.0.0.1:PORT/REPOSITORY:TAG` (or `@DIGEST`) for skopeo and friends. */
  reference(repositoryAndTag: string): string;
  /** `skopeo copy --all --preserve-digests SOURCE docker://…/REPOSITORY:TAG`. */
  push(source: string, repositoryAndTag: string): Promise<void>;
  /** `skopeo copy --all --preserve-digests docker://…/REPOSITORY:TAG DESTINATION`. */
  pull(repositoryAndTag: string, destination: string): Promise<void>;
  /** GET /v2/REPOSITORY/manifests/REFERENCE (a tag or digest). */
  manifest(repository: string, reference: string): Promise<RegistryManifest>;
  /** GET /v2/REPOSITORY/blobs/DIGEST: the blob bytes as served. */
  blob(repository: string, digest: string): Promise<Buffer>;
  /**
   * Error lines of the registry log, minus the 404s skopeo's HEAD existence probes cause.
   * Empty after a clean push/pull.
   */
  errors(): string[];
  /** Stops the registry by PID and deletes its storage. */
  stop(): Promise<void>;
}

/** A TCP port free on 127.0.0.1 right now (the kernel picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('interop: no port')),
      );
    });
  });
}

async function get(url: string, accept?: string): Promise<Response> {
  const response = await fetch(url, {
    headers: accept ? { Accept: accept } : {},
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok) throw new Error(`interop: GET ${url}: HTTP ${response.status} ${await response.text()}`);
  return response;
}

function configYaml(storage: string, address: string): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${address}`,
    '',
  ].join('\n');
}

/**
 * Starts a registry and waits until `/v2/` answers. Retries on another port if the one picked
 * was taken in between. Share one per test file (beforeAll / afterAll → {@link Registry.stop}).
 */
export async function startRegistry(): Promise<Registry> {
  const home = makeScratchDir('registry');
  let daemon: Daemon | undefined;
  let address = '';
  try {
    for (let attempt = 1; daemon === undefined; attempt++) {
      address = `127.0.0.1:${await freePort()}`;
      const config = join(home, 'config.yml');
      writeFileSync(config, configYaml(join(home, 'storage'), address));
      const candidate = startDaemon(
        'docker-registry',
        ['serve', config],
        join(home, `registry-${attempt}.log`),
      );
      try {
        await waitUntilReady(candidate, async () => (await fetch(`http://${address}/v2/`)).ok);
        daemon = candidate;
      } catch (error) {
        await candidate.stop();
        if (attempt === 3) throw error;
      }
    }
  } catch (error) {
    removeScratchDir(home);
    throw error;
  }
  const running = daemon;
  const base = `http://${address}/v2`;
  const reference = (repositoryAndTag: string) => `docker://${address}/${repositoryAndTag}`;
  return {
    address,
    reference,
    push: (source, repositoryAndTag) =>
      copy(source, reference(repositoryAndTag), { all: true, preserveDigests: true }),
    pull: (repositoryAndTag, destination) =>
      copy(reference(repositoryAndTag), destination, { all: true, preserveDigests: true }),
    async manifest(repository, ref) {
      const response = await get(`${base}/${repository}/manifests/${ref}`, MANIFEST_ACCEPT);
      const bytes = Buffer.from(await response.arrayBuffer());
      return {
        digest: sha256Digest(bytes),
        headerDigest: response.headers.get('Docker-Content-Digest'),
        mediaType: response.headers.get('Content-Type'),
        bytes,
      };
    },
    async blob(repository, digest) {
      return Buffer.from(await (await get(`${base}/${repository}/blobs/${digest}`)).arrayBuffer());
    },
    errors: () =>
      running
        .log()
        .split('\n')
        .filter(
          (line) => /level=(error|fatal|panic)/.test(line) && !line.includes('http.request.method=HEAD'),
        ),
    async stop() {
      try {
        await running.stop();
      } finally {
        removeScratchDir(home);
      }
    },
  };
}
