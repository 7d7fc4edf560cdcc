import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, waitUntilReady } from './daemon.js';
import { recordHostResidue } from './host-residue.js';
import { interopScratchDir } from './scratch.js';
import { runTool } from './tools.js';

/** `docker image inspect` output (fields this harness reads; Docker prints more). */
export interface DockerImage {
  /** `sha256:` + config digest: the image ID. */
  readonly Id: string;
  readonly RepoTags: readonly string[];
  readonly Os: string;
  readonly Architecture: string;
  readonly Author: string;
  readonly Comment: string;
  readonly RootFS: { readonly Type: string; readonly Layers: readonly string[] };
}

/** One row of `docker history --no-trunc --format '{{json .}}'`. */
export interface DockerHistoryRow {
  /** Image ID of the row, `<missing>` for rows without a local image. */
  readonly ID: string;
  readonly CreatedAt: string;
  readonly CreatedSince: string;
  readonly CreatedBy: string;
  readonly Size: string;
  readonly Comment: string;
  readonly Tags: string;
}

/**
 * A private Docker Engine 20.10 (temp data-root and exec-root, unix socket, vfs, no bridge, no
 * iptables, no TCP). It loads docker-archives only: OCI archives arrived in Docker 25.
 */
export interface Dockerd {
  /** The daemon's unix socket. */
  readonly socket: string;
  /** `docker load -i ARCHIVE`; returns the loaded reference (name:tag, or image ID if unnamed). */
  load(archive: string): Promise<string>;
  /** `docker image inspect REF`. */
  inspect(ref: string): Promise<DockerImage>;
  /** `docker history --no-trunc REF`, one parsed row per history entry, newest first. */
  history(ref: string): Promise<DockerHistoryRow[]>;
  /**
   * `docker history FLAGS… REF` exactly as printed (e.g. `[]`, `['--no-trunc']`,
   * `['--human=false']`): the reference rendering for layerkit's own history table.
   */
  historyText(ref: string, flags?: readonly string[]): Promise<string>;
  /** `docker run --rm --network none --entrypoint COMMAND[0] REF COMMAND[1…]`; returns stdout. */
  run(ref: string, command: readonly string[]): Promise<string>;
  /**
   * A file's bytes from an image that has no shell or `cat`: `docker create`, `docker cp
   * CONTAINER:PATH`, `docker rm`.
   */
  readFile(ref: string, path: string): Promise<Buffer>;
  /**
   * Runs COMMAND in a new container of REF (`docker create --entrypoint COMMAND[0]` + `docker
   * start --attach`), then returns `docker diff` of that container (`A|C|D /path` lines) and
   * removes it: the reference for layerkit's own diff. With `commitAs`, the container is first
   * `docker commit`ted under that name: the reference for layerkit's commit.
   */
  diffAfterRun(ref: string, command: readonly string[], commitAs?: string): Promise<string>;
  /** `docker save -o FILE REF`. */
  save(ref: string, file: string): Promise<void>;
  /**
   * `docker pull HOST:PORT/REPO:TAG` (the registry must be one of {@link DockerdOptions.insecureRegistries}
   * when it speaks plain HTTP); returns the manifest digest Docker reports (`Digest: sha256:…`).
   */
  pull(ref: string): Promise<string>;
  /** `docker push HOST:PORT/REPO:TAG` (Docker 20.10 pushes Docker schema 2); returns the manifest digest. */
  push(ref: string): Promise<string>;
  /** Stops the daemon by PID, unmounts and removes its dirs and what it left on the host. */
  stop(): Promise<void>;
}

/** Parses `docker load` output: `Loaded image: NAME:TAG` or `Loaded image ID: sha256:…`. */
function loadedReference(output: string): string {
  const ref = /^Loaded image(?: ID)?: (\S+)$/m.exec(output)?.[1];
  if (ref === undefined) throw new Error(`interop: docker load printed no "Loaded image":\n${output}`);
  return ref;
}

/** How {@link startDockerd} configures the daemon. */
export interface DockerdOptions {
  /**
   * `--insecure-registry HOST:PORT`: registries Docker may reach over plain HTTP (or with
   * certificates it does not verify). Docker also treats 127.0.0.0/8 so by default; naming the
   * registry keeps the tests independent of that default.
   */
  readonly insecureRegistries?: readonly string[];
}

/** The manifest digest `docker pull` / `docker push` prints. */
function reportedDigest(command: string, output: string): string {
  const digest = /(?:^Digest: |digest: )(sha256:[0-9a-f]{64})/m.exec(output)?.[1];
  if (digest === undefined) throw new Error(`interop: docker ${command} printed no digest:\n${output}`);
  return digest;
}

/**
 * Starts dockerd (it spawns and later stops its own managed containerd) and waits until
 * `docker version` answers. Share one per test file (beforeAll / afterAll → {@link Dockerd.stop}).
 */
export async function startDockerd(options: DockerdOptions = {}): Promise<Dockerd> {
  const homeScratch = interopScratchDir('dockerd');
  const home = homeScratch.path;
  const socket = join(home, 'docker.sock');
  // dockerd 20.10 and its managed containerd write these whatever the flags say
  const residue = recordHostResidue(
    ['/etc/docker/key.json', '/var/run/docker', '/run/containerd', '/opt/containerd'],
    ['dockerd', 'containerd', 'containerd-shim'],
  );
  const daemon = startDaemon(
    'dockerd',
    [
      ...['--data-root', join(home, 'data'), '--exec-root', join(home, 'exec')],
      ...['--pidfile', join(home, 'docker.pid'), '--host', `unix://${socket}`],
      ...['--iptables=false', '--ip6tables=false', '--bridge=none', '--ip-forward=false', '--ip-masq=false'],
      ...['--userland-proxy=false', '--storage-driver', 'vfs'],
      // podman-style explicit rlimits: the defaults exceed this sandbox's hard limits
      ...['--default-ulimit', 'nofile=1024:1024', '--default-ulimit', 'nproc=1024:1024'],
      ...(options.insecureRegistries ?? []).flatMap((registry) => ['--insecure-registry', registry]),
    ],
    join(home, 'dockerd.log'),
  );
  const docker = (args: readonly string[], timeoutMs?: number) =>
    runTool('docker', ['--host', `unix://${socket}`, ...args], timeoutMs ? { timeoutMs } : {});
  const stop = async () => {
    try {
      await daemon.stop(20_000);
    } finally {
      homeScratch.remove();
      residue.remove();
    }
  };
  try {
    await waitUntilReady(
      daemon,
      async () => existsSync(socket) && (await docker(['version'])).stdout !== '',
      60_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    socket,
    async load(archive) {
      const { stdout, stderr } = await docker(['load', '--input', archive]);
      return loadedReference(`${stdout}\n${stderr}`);
    },
    async inspect(ref) {
      const images = JSON.parse((await docker(['image', 'inspect', ref])).stdout) as DockerImage[];
      const image = images[0];
      if (image === undefined) throw new Error(`interop: docker image inspect ${ref} returned nothing`);
      return image;
    },
    async history(ref) {
      const { stdout } = await docker(['history', '--no-trunc', '--format', '{{json .}}', ref]);
      return stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as DockerHistoryRow);
    },
    async historyText(ref, flags = []) {
      return (await docker(['history', ...flags, ref])).stdout;
    },
    async run(ref, command) {
      const [entrypoint = '', ...args] = command;
      const run = ['run', '--rm', '--network', 'none', '--entrypoint', entrypoint, ref, ...args];
      return (await docker(run, 60_000)).stdout;
    },
    async diffAfterRun(ref, command, commitAs) {
      const [entrypoint = '', ...args] = command;
      const create = ['create', '--network', 'none', '--entrypoint', entrypoint, ref, ...args];
      const container = (await docker(create)).stdout.trim();
      try {
        await docker(['start', '--attach', container], 60_000);
        if (commitAs !== undefined) await docker(['commit', container, commitAs]);
        return (await docker(['diff', container])).stdout;
      } finally {
        await docker(['rm', '--force', container]);
      }
    },
    async readFile(ref, path) {
      const container = (await docker(['create', '--network', 'none', ref])).stdout.trim();
      try {
        const copy = join(home, `copy-${container}`);
        await docker(['cp', `${container}:${path}`, copy]);
        return readFileSync(copy);
      } finally {
        await docker(['rm', '--force', container]);
      }
    },
    async save(ref, file) {
      await docker(['save', '--output', file, ref]);
    },
    async pull(ref) {
      const { stdout, stderr } = await docker(['pull', ref]);
      return reportedDigest('pull', `${stdout}\n${stderr}`);
    },
    async push(ref) {
      const { stdout, stderr } = await docker(['push', ref]);
      return reportedDigest('push', `${stdout}\n${stderr}`);
    },
    stop,
  };
}
