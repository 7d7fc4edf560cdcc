/**
 * A private registry for the registry workloads (R1–R5): Debian's `docker-registry`
 * (distribution 2.8) on 127.0.0.1, plain HTTP, no auth, storage in a directory the workload
 * owns. Every timed run gets a registry of its own on a port not used before in this bench run
 * (skopeo's blob-info cache is keyed by host:port, so nothing it learned in an earlier run
 * applies), with an empty storage or a copy of a prepared one. The access log (one line per
 * request) is what the untimed checks count.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bash, commandLine } from './shell.mjs';
import { processCpuSeconds } from './timing.mjs';

/** Manifest media types asked for, so the registry serves what was pushed, unconverted. */
const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(',');

/** Query parameter of the harness's own requests to `/` (readiness, log barrier); not counted. */
const PROBE = 'layerkit-bench-probe';

/** Ports handed out in this process: never reused, so skopeo's cache has no entry for any of them. */
const usedPorts = new Set();
/** Registries still running, stopped if the bench exits without stopping them. */
const running = new Set();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A TCP port free on 127.0.0.1 now, never handed out before in this process. */
async function freshPort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(address.port));
      });
    });
    if (!usedPorts.has(port)) {
      usedPorts.add(port);
      return port;
    }
  }
}

/** config.yml for distribution 2.8: access log on, everything else quiet, no caches, no purging. */
function configYaml(storage, address) {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(storage)}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${address}`,
    '  secret: layerkit-bench',
    '',
  ].join('\n');
}

/**
 * @typedef {object} RegistryRequest
 * @property {string} method
 * @property {string} path still percent-encoded
 * @property {Record<string, string>} query decoded
 * @property {number} status
 * @property {number} bytes response body bytes
 */

/**
 * The requests of distribution's access log (combined log format on stdout; logrus lines skipped):
 * `127.0.0.1 - - [02/Dec/2026:03:35:08 +0000] "GET /v2/?x=1 HTTP/1.1" 200 2 "" "curl/7.88.1"`.
 * @param {string} log
 * @returns {RegistryRequest[]}
 */
export function parseAccessLog(log) {
  const requests = [];
  for (const line of log.split('\n')) {
    const match = /^\S+ \S+ \S+ \[[^\]]*\] "(\S+) (\S+) [^"]*" (\d{3}) (\d+|-)/.exec(line);
    if (match === null) continue;
    const [, method, uri, status, bytes] = match;
    const at = uri.indexOf('?');
    const query = Object.fromEntries(new URLSearchParams(at === -1 ? '' : uri.slice(at + 1)));
    if (PROBE in query) continue;
    requests.push({
      method,
      path: at === -1 ? uri : uri.slice(0, at),
      query,
      status: Number(status),
      bytes: bytes === '-' ? 0 : Number(bytes),
    });
  }
  return requests;
}

/**
 * What a client did, counted from the access log: blob uploads completed (the PUT closing an
 * upload session), PATCH requests, mounts (POST with `mount=` answered 201) and mount attempts,
 * blob downloads (GET 200), HEAD probes, manifests written.
 * @param {RegistryRequest[]} requests
 */
export function countRequests(requests) {
  const blobPath = /\/blobs\/sha256:[0-9a-f]{64}$/;
  const uploads = (r) => /\/blobs\/uploads\//.test(r.path);
  const mountAttempts = requests.filter((r) => r.method === 'POST' && uploads(r) && 'mount' in r.query);
  const downloads = requests.filter((r) => r.method === 'GET' && blobPath.test(r.path) && r.status === 200);
  return {
    requests: requests.length,
    blobUploads: requests.filter((r) => r.method === 'PUT' && uploads(r) && r.status === 201).length,
    uploadPatches: requests.filter((r) => r.method === 'PATCH' && uploads(r)).length,
    blobMounts: mountAttempts.filter((r) => r.status === 201).length,
    mountAttempts: mountAttempts.length,
    blobDownloads: downloads.length,
    downloadedBytes: downloads.reduce((sum, r) => sum + r.bytes, 0),
    headRequests: requests.filter((r) => r.method === 'HEAD').length,
    manifestPuts: requests.filter((r) => r.method === 'PUT' && /\/manifests\//.test(r.path)).length,
    errors: requests.filter((r) => r.status >= 500).length,
  };
}

/**
 * @typedef {object} Registry
 * @property {string} address `127.0.0.1:PORT`
 * @property {number} pid
 * @property {(repositoryAndTag: string) => string} reference `docker://ADDRESS/REPO:TAG`
 * @property {() => void} mark forget the requests so far: {@link Registry.requests} starts here
 * @property {() => Promise<RegistryRequest[]>} requests requests since the last mark
 * @property {(repository: string, reference: string) => Promise<{digest: string, headerDigest: string | null, json: any}>} manifest
 * @property {(repository: string, digest: string) => Promise<Buffer>} blob
 * @property {() => number} cpuSeconds the registry process's CPU so far
 * @property {() => Promise<void>} stop SIGTERM (SIGKILL after 10 s), storage kept
 */

/**
 * Starts a registry serving `storage` (created when missing) and waits until it answers.
 * @param {string} home directory for its config and log (created)
 * @param {string} storage
 * @returns {Promise<Registry>}
 */
export async function startRegistry(home, storage) {
  mkdirSync(home, { recursive: true });
  mkdirSync(storage, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const address = `127.0.0.1:${await freshPort()}`;
    const config = join(home, 'config.yml');
    const log = join(home, 'registry.log');
    writeFileSync(config, configYaml(storage, address));
    writeFileSync(log, '');
    const fd = openSync(log, 'a');
    const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    running.add(child);
    let exited = false;
    const exit = new Promise((resolve) =>
      child.once('exit', () => {
        exited = true;
        running.delete(child);
        resolve();
      }),
    );
    const stop = async () => {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    };
    const deadline = Date.now() + 15_000;
    let ready = false;
    while (!exited && Date.now() < deadline) {
      ready = await fetch(`http://${address}/?${PROBE}=ready`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ready) break;
      await sleep(10);
    }
    if (ready) return handle(address, child.pid, log, stop);
    await stop();
    if (attempt === 3) {
      throw new Error(
        `docker-registry did not start on ${address}:\n${readFileSync(log, 'utf8').slice(-2000)}`,
      );
    }
  }
}

function handle(address, pid, log, stop) {
  const origin = `http://${address}`;
  let markAt = 0;
  const get = async (path, accept) => {
    const response = await fetch(`${origin}/v2/${path}`, { headers: accept ? { Accept: accept } : {} });
    if (response.status !== 200) throw new Error(`GET ${origin}/v2/${path}: HTTP ${response.status}`);
    return { response, bytes: Buffer.from(await response.arrayBuffer()) };
  };
  return {
    address,
    pid,
    reference: (repositoryAndTag) => `docker://${address}/${repositoryAndTag}`,
    mark: () => {
      markAt = statSync(log).size;
    },
    async requests() {
      // distribution logs a request when its handler returns; a big response reaches the client
      // before that. A round trip of our own gives such lines time to land.
      await fetch(`${origin}/?${PROBE}=barrier`).catch(() => undefined);
      await sleep(50);
      return parseAccessLog(readFileSync(log).subarray(markAt).toString('utf8'));
    },
    async manifest(repository, reference) {
      const { response, bytes } = await get(`${repository}/manifests/${reference}`, MANIFEST_ACCEPT);
      return {
        digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
        headerDigest: response.headers.get('docker-content-digest'),
        json: JSON.parse(bytes.toString('utf8')),
      };
    },
    async blob(repository, digest) {
      return (await get(`${repository}/blobs/${digest}`)).bytes;
    },
    cpuSeconds: () => processCpuSeconds(pid),
    stop,
  };
}

/**
 * A registry started afresh for each timed run: `reset()` stops the previous one, starts a new
 * one on a new port and marks its log; `current` is the running one. Its storage is a fresh copy
 * of `template` (`cp -a`, not hard links: the registry rewrites some files in place), empty
 * without one, or with `serve` that directory itself, unchanged (for pulls, which write nothing).
 * @param {string} dir
 * @param {{template?: string, serve?: string}} [storage]
 */
export function perRunRegistry(dir, { template, serve } = {}) {
  const storage = join(dir, 'storage');
  const state = {
    /** @type {Registry | undefined} */
    current: undefined,
    async reset() {
      await state.stop();
      if (serve === undefined) {
        rmSync(storage, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        if (template !== undefined) bash(`cp -a ${commandLine([template, storage])}`);
      }
      state.current = await startRegistry(join(dir, 'home'), serve ?? storage);
      state.current.mark();
      return state.current;
    },
    async stop() {
      await state.current?.stop();
      state.current = undefined;
    },
  };
  return state;
}
