import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ScratchDir } from '../../fixtures/scratch.js';
import { type Daemon, startDaemon, waitUntilReady } from './daemon.js';
import { sha256Digest } from './digest.js';
import { parseAccessLog, type RegistryRequest } from './registry/access-log.js';
import { configYaml, type RegistryConfig } from './registry/config.js';
import { writeHtpasswd } from './registry/htpasswd.js';
import { type HttpResponse, httpGet } from './registry/http.js';
import { makeSelfSigned, makeTlsMaterial, type TlsMaterial } from './registry/tls.js';
import { startTokenIssuer, type TokenIssuer, type TokenRequest } from './registry/token-issuer.js';
import { interopScratchDir } from './scratch.js';
import { copy, type SkopeoRegistryAccess } from './skopeo.js';

export type { RegistryRequest, TokenRequest };

/** Manifest media types asked for, so the registry serves what was pushed, unconverted. */
const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(',');

/**
 * Query parameter of the harness's own requests to `/` (readiness probes, log barriers), which
 * distribution answers 200 without auth; {@link Registry.requests} leaves them out.
 */
const PROBE = 'layerkit-interop-probe';

/** A manifest as served by the registry API. */
export interface RegistryManifest {
  /** sha256 of the served bytes. */
  readonly digest: string;
  /** The registry's own `Docker-Content-Digest` header. */
  readonly headerDigest: string | null;
  readonly mediaType: string | null;
  readonly bytes: Buffer;
}

/** How {@link startRegistry} configures the registry. */
export interface RegistryOptions {
  /** Serve HTTPS with a certificate from a CA made for this registry ({@link Registry.caFile}). */
  readonly tls?: boolean;
  /**
   * `htpasswd`: Basic auth; every user of {@link Registry.users} may push and pull, anonymous
   * requests are refused. `token`: Bearer tokens from a token issuer the harness runs, granting
   * per user: alice push + pull on every repository, bob pull only, anonymous pull on `public/*`.
   */
  readonly auth?: 'htpasswd' | 'token';
  /** Allow deleting manifests (`storage.delete.enabled`, the default); false: DELETE is 405. */
  readonly deleteEnabled?: boolean;
}

/** A user name and password (possibly a wrong one) to authenticate with. */
export interface RegistryCredentials {
  readonly user: string;
  readonly password: string;
}

/**
 * A private docker-registry (distribution 2.8) on 127.0.0.1, storage in a temp dir: plain HTTP
 * or TLS, no auth, htpasswd or token auth ({@link RegistryOptions}).
 */
export interface Registry {
  /** `127.0.0.1:PORT`. */
  readonly address: string;
  /** `https` with {@link RegistryOptions.tls}, else `http`. */
  readonly scheme: 'http' | 'https';
  /** With TLS: the CA certificate (PEM) that signed the registry's (and token issuer's) certificate. */
  readonly caFile: string | undefined;
  /** With TLS: a directory holding only `ca.crt`, for `--cert-dir` / `certs.d`-style options. */
  readonly certDir: string | undefined;
  /** With auth: name → password, `alice` and `bob` (passwords random per registry); else empty. */
  readonly users: Readonly<Record<string, string>>;
  /** `docker://127.0.0.1:PORT/REPOSITORY:TAG` (or `@DIGEST`) for skopeo and friends. */
  reference(repositoryAndTag: string): string;
  /**
   * skopeo's options for this registry: its CA (TLS verified) or no TLS verification (plain
   * HTTP), and `credentials`: by default alice's when auth is on, `null` for none.
   */
  skopeoAccess(credentials?: RegistryCredentials | null): SkopeoRegistryAccess;
  /** `skopeo copy --all --preserve-digests SOURCE docker://…/REPOSITORY:TAG` ({@link skopeoAccess}). */
  push(source: string, repositoryAndTag: string, credentials?: RegistryCredentials | null): Promise<void>;
  /** `skopeo copy --all --preserve-digests docker://…/REPOSITORY:TAG DESTINATION` ({@link skopeoAccess}). */
  pull(
    repositoryAndTag: string,
    destination: string,
    credentials?: RegistryCredentials | null,
  ): Promise<void>;
  /** GET /v2/REPOSITORY/manifests/REFERENCE (a tag or digest), as alice when auth is on. */
  manifest(repository: string, reference: string): Promise<RegistryManifest>;
  /** GET /v2/REPOSITORY/blobs/DIGEST: the blob bytes as served (as alice when auth is on). */
  blob(repository: string, digest: string): Promise<Buffer>;
  /**
   * Every request the registry answered so far, in the order its access log wrote them (the
   * order responses completed), the harness's {@link manifest} and {@link blob} reads included.
   */
  requests(): Promise<RegistryRequest[]>;
  /** With token auth: every request the token issuer answered, in order; else empty. */
  tokenRequests(): TokenRequest[];
  /**
   * Bytes the registry holds of `repository`'s unfinished uploads (its `_uploads/*\/data` files):
   * what a push in progress has delivered, before any request of it is logged.
   */
  uploadingBytes(repository: string): number;
  /**
   * Error lines of the registry log, minus the 404s skopeo's HEAD existence probes cause.
   * Empty after a clean push/pull.
   */
  errors(): string[];
  /** Stops the registry (by PID) and the token issuer, and deletes its storage. */
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

/** What {@link startRegistry} sets up before the registry itself: TLS material, users, token issuer. */
interface Setup {
  readonly tls: TlsMaterial | undefined;
  readonly users: Readonly<Record<string, string>>;
  readonly issuer: TokenIssuer | undefined;
  readonly auth: RegistryConfig['auth'];
}

/** Makes the TLS material, users, htpasswd file or token issuer that `options` ask for, in `home`. */
async function prepare(home: string, options: RegistryOptions): Promise<Setup> {
  const tls = options.tls ? await makeTlsMaterial(join(home, 'tls')) : undefined;
  const users: Record<string, string> = options.auth
    ? { alice: randomBytes(12).toString('hex'), bob: randomBytes(12).toString('hex') }
    : {};
  if (options.auth === 'htpasswd') {
    const path = join(home, 'htpasswd');
    await writeHtpasswd(path, users);
    return { tls, users, issuer: undefined, auth: { htpasswd: path } };
  }
  if (options.auth === 'token') {
    const signing = await makeSelfSigned(
      join(home, 'token-signing.crt'),
      join(home, 'token-signing.key'),
      '/CN=layerkit interop token issuer',
    );
    const issuer = await startTokenIssuer({ users, signing, tls });
    const token = {
      realm: issuer.realm,
      service: issuer.service,
      issuer: issuer.issuer,
      rootCertBundle: signing.certFile,
    };
    return { tls, users, issuer, auth: { token } };
  }
  return { tls, users, issuer: undefined, auth: undefined };
}

/**
 * Starts a registry configured by `options` (default: plain HTTP, no auth) and waits until it
 * answers. Retries on another port if the one picked was taken in between. Share one per test
 * file or describe block (beforeAll / afterAll → {@link Registry.stop}).
 */
export async function startRegistry(options: RegistryOptions = {}): Promise<Registry> {
  const homeScratch = interopScratchDir('registry');
  const home = homeScratch.path;
  let setup: Setup | undefined;
  let daemon: Daemon | undefined;
  let address = '';
  const scheme = options.tls ? 'https' : 'http';
  try {
    setup = await prepare(home, options);
    const ca = setup.tls ? readFileSync(setup.tls.caFile) : undefined;
    for (let attempt = 1; daemon === undefined; attempt++) {
      address = `127.0.0.1:${await freePort()}`;
      const config = join(home, 'config.yml');
      writeFileSync(
        config,
        configYaml({
          storage: join(home, 'storage'),
          address,
          tls: setup.tls,
          auth: setup.auth,
          deleteEnabled: options.deleteEnabled,
        }),
      );
      const candidate = startDaemon(
        'docker-registry',
        ['serve', config],
        join(home, `registry-${attempt}.log`),
      );
      const probe = `${scheme}://${address}/?${PROBE}=ready`;
      try {
        await waitUntilReady(candidate, async () => (await httpGet(probe, { ca })).status === 200);
        daemon = candidate;
      } catch (error) {
        await candidate.stop();
        if (attempt === 3) throw error;
      }
    }
  } catch (error) {
    await setup?.issuer?.stop();
    homeScratch.remove();
    throw error;
  }
  return registryHandle(homeScratch, address, scheme, daemon, setup);
}

function registryHandle(
  homeScratch: ScratchDir,
  address: string,
  scheme: 'http' | 'https',
  daemon: Daemon,
  setup: Setup,
): Registry {
  const home = homeScratch.path;
  const { tls, users, issuer } = setup;
  const ca = tls ? readFileSync(tls.caFile) : undefined;
  const origin = `${scheme}://${address}`;
  const reference = (repositoryAndTag: string) => `docker://${address}/${repositoryAndTag}`;
  const defaultCredentials = (): RegistryCredentials | null => {
    const password = users.alice;
    return password === undefined ? null : { user: 'alice', password };
  };
  const skopeoAccess = (credentials = defaultCredentials()): SkopeoRegistryAccess => ({
    ...(tls ? { certDir: tls.certDir } : {}),
    ...(credentials ? { creds: `${credentials.user}:${credentials.password}` } : {}),
  });

  /** The harness's own reads, as alice. */
  async function get(repository: string, path: string, accept?: string): Promise<HttpResponse> {
    const headers: Record<string, string> = accept ? { Accept: accept } : {};
    const alice = defaultCredentials();
    if (issuer && alice) {
      headers.Authorization = `Bearer ${issuer.mint(alice.user, [`repository:${repository}:pull`])}`;
    } else if (alice) {
      headers.Authorization = `Basic ${Buffer.from(`${alice.user}:${alice.password}`).toString('base64')}`;
    }
    const url = `${origin}/v2/${repository}/${path}`;
    const response = await httpGet(url, { ca, headers });
    if (response.status !== 200) {
      throw new Error(`interop: GET ${url}: HTTP ${response.status} ${response.body.toString('utf8')}`);
    }
    return response;
  }

  const uploadingBytes = (repository: string) => {
    const uploads = join(home, 'storage', 'docker', 'registry', 'v2', 'repositories', repository, '_uploads');
    let names: string[];
    try {
      names = readdirSync(uploads);
    } catch {
      return 0;
    }
    return names.reduce(
      (sum, name) => sum + (statSync(join(uploads, name, 'data'), { throwIfNoEntry: false })?.size ?? 0),
      0,
    );
  };

  return {
    address,
    scheme,
    caFile: tls?.caFile,
    uploadingBytes,
    certDir: tls?.certDir,
    users,
    reference,
    skopeoAccess,
    push: (source, repositoryAndTag, credentials) =>
      copy(source, reference(repositoryAndTag), {
        all: true,
        preserveDigests: true,
        dest: skopeoAccess(credentials),
      }),
    pull: (repositoryAndTag, destination, credentials) =>
      copy(reference(repositoryAndTag), destination, {
        all: true,
        preserveDigests: true,
        src: skopeoAccess(credentials),
      }),
    async manifest(repository, ref) {
      const response = await get(repository, `manifests/${ref}`, MANIFEST_ACCEPT);
      const header = (name: string) => {
        const value = response.headers[name];
        return typeof value === 'string' ? value : null;
      };
      return {
        digest: sha256Digest(response.body),
        headerDigest: header('docker-content-digest'),
        mediaType: header('content-type'),
        bytes: response.body,
      };
    },
    async blob(repository, digest) {
      return (await get(repository, `blobs/${digest}`)).body;
    },
    async requests() {
      // distribution logs a request when its handler returns, but a response over Go's 4 KiB
      // write buffer (a blob) reaches the client before that; a round trip of our own (whose
      // small answer leaves only after its own line) gives such lines time to land
      await httpGet(`${origin}/?${PROBE}=barrier`, { ca });
      return parseAccessLog(daemon.log()).filter(
        (request) => !(request.path === '/' && PROBE in request.query),
      );
    },
    tokenRequests: () => issuer?.requests() ?? [],
    errors: () =>
      daemon
        .log()
        .split('\n')
        .filter(
          (line) => /level=(error|fatal|panic)/.test(line) && !line.includes('http.request.method=HEAD'),
        ),
    async stop() {
      try {
        await Promise.all([daemon.stop(), issuer?.stop()]);
      } finally {
        homeScratch.remove();
      }
    },
  };
}
