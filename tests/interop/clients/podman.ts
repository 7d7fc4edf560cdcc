import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { interopScratchDir } from './scratch.js';
import type { SkopeoRegistryAccess } from './skopeo.js';
import { requireTool, runTool } from './tools.js';

/**
 * How podman or buildah reach a registry (the `docker://` side of a pull or push), as for skopeo:
 * `--cert-dir` (TLS verified), else `--tls-verify=false` (plain HTTP), and `--creds`.
 */
export type RegistryAccess = SkopeoRegistryAccess;

/** `--tls-verify`, `--cert-dir` and `--creds` for {@link RegistryAccess}. */
export function registryFlags(access: RegistryAccess = {}): string[] {
  const verify = access.tlsVerify ?? access.certDir !== undefined;
  return [
    `--tls-verify=${verify}`,
    ...(access.certDir !== undefined ? ['--cert-dir', access.certDir] : []),
    ...(access.creds !== undefined ? ['--creds', access.creds] : []),
  ];
}

/** `podman image inspect` output (fields this harness reads; podman prints more). */
/** `podman push` / `buildah push IMAGE DESTINATION` with registry access, manifest format and compression. */
export type PushImage = (
  image: string,
  destination: string,
  access?: RegistryAccess,
  format?: 'oci' | 'v2s2',
  compression?: 'gzip' | 'zstd',
) => Promise<void>;

/** The arguments of `podman push` and `buildah push` (the same flags): `--format` and `--compression-format` where given. */
export function pushArgs(
  ...[image, destination, access, format, compression]: Parameters<PushImage>
): string[] {
  return [
    'push',
    '--quiet',
    ...(format === undefined ? [] : ['--format', format]),
    ...(compression === undefined ? [] : ['--compression-format', compression]),
    ...registryFlags(access),
    image,
    destination,
  ];
}

export interface PodmanImage {
  /** The config digest without `sha256:`. */
  readonly Id: string;
  /** Manifest digest. */
  readonly Digest: string;
  readonly RepoTags: readonly string[] | null;
  readonly Os: string;
  readonly Architecture: string;
  readonly RootFS: { readonly Type: string; readonly Layers: readonly string[] };
  readonly History?: readonly {
    readonly created?: string;
    readonly created_by?: string;
    readonly author?: string;
    readonly comment?: string;
    readonly empty_layer?: boolean;
  }[];
}

/** One row of `podman history --no-trunc --format json`. */
export interface PodmanHistoryRow {
  /** Image id for the row's image, `<missing>` for rows of base images. */
  readonly id: string;
  readonly created: string;
  /** Left out when the history entry's `created_by` is empty. */
  readonly CreatedBy?: string;
  readonly size: number;
  readonly comment?: string;
}

/** A private podman store (vfs, cgroupfs, runc) in its own temp dir. */
export interface Podman {
  /** `podman load -i ARCHIVE` (docker-archive or oci-archive); returns the loaded references. */
  load(archive: string): Promise<string[]>;
  /** `podman save --format FORMAT -o FILE REF`: the image as podman writes it. */
  save(ref: string, file: string, format: 'oci-archive' | 'docker-archive'): Promise<void>;
  /** `podman image inspect REF`. */
  inspect(ref: string): Promise<PodmanImage>;
  /** `podman history --no-trunc --format json REF`, newest row first. */
  history(ref: string): Promise<PodmanHistoryRow[]>;
  /** `podman run --rm --network none --entrypoint COMMAND[0] REF COMMAND[1…]`; returns stdout. */
  run(ref: string, command: readonly string[]): Promise<string>;
  /**
   * A file's bytes from an image that has no shell or `cat`: `podman create`, `podman cp
   * CONTAINER:PATH`, `podman rm`.
   */
  readFile(ref: string, path: string): Promise<Buffer>;
  /**
   * `podman pull REF` from a registry (`HOST:PORT/REPO:TAG`, `@DIGEST` or `docker://…`), which
   * verifies every blob; returns the image ID podman prints (the config digest, no `sha256:`).
   */
  pull(ref: string, access?: RegistryAccess): Promise<string>;
  /**
   * `podman push [--format FORMAT] [--compression-format C] IMAGE DESTINATION`
   * (`docker://HOST:PORT/REPO:TAG`): podman compresses its stored layers afresh, except where its
   * blob-info cache knows a compressed copy the registry has. `format`: `oci` or `v2s2` (Docker
   * schema 2); `compression`: `gzip` (default) or `zstd` (OCI only).
   */
  push: PushImage;
  /**
   * `podman login --authfile FILE` to `registry` (`HOST:PORT`): checks the credentials against
   * the registry and writes them into FILE (containers' auth.json format).
   */
  login(
    registry: string,
    authFile: string,
    access: RegistryAccess & { readonly creds: string },
  ): Promise<void>;
  /** `podman run --rm --network none REF ARGS…` with the image's own entrypoint/cmd; returns stdout. */
  runImage(ref: string, args?: readonly string[]): Promise<string>;
  /**
   * Runs COMMAND in a container of REF (`--entrypoint COMMAND[0]`), then `podman commit`s the
   * container as IMAGE (its changes become one new layer podman writes) and removes it.
   */
  commitAfterRun(ref: string, command: readonly string[], image: string): Promise<void>;
  /** Removes any container left behind, then the whole store. */
  dispose(): Promise<void>;
}

/**
 * Parses podman's load report: `Loaded image: REF` per image, or `Loaded image(s): A,B` from
 * some transports.
 */
function loadedReferences(output: string): string[] {
  return output
    .split('\n')
    .flatMap((line) => /^Loaded image(?:\(s\))?: (.+)$/.exec(line)?.[1]?.split(',') ?? [])
    .map((ref) => ref.trim());
}

/** Creates a throw-away podman store; call {@link Podman.dispose} when done. */
export function createPodman(): Podman {
  const homeScratch = interopScratchDir('podman');
  const home = homeScratch.path;
  const tmp = join(home, 'tmp');
  mkdirSync(tmp);
  const global = [
    ...['--root', join(home, 'root'), '--runroot', join(home, 'run'), '--storage-driver', 'vfs'],
    ...['--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--tmpdir', tmp],
    // keep podman's CNI lock and runc's state out of /etc/cni and /run/runc
    ...[
      '--network-config-dir',
      join(home, 'net'),
      '--runtime',
      'runc',
      '--runtime-flag',
      `root=${join(home, 'runc')}`,
    ],
  ];
  // containers/image unpacks oci-archives into TMPDIR (default /var/tmp)
  const podman = (args: readonly string[], timeoutMs?: number) =>
    runTool('podman', [...global, ...args], { env: { TMPDIR: tmp }, ...(timeoutMs ? { timeoutMs } : {}) });
  // explicit rlimits: podman's default (1048576) exceeds this sandbox's hard limit
  const limits = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
  let containers = 0;
  return {
    async load(archive) {
      const { stdout, stderr } = await podman(['load', '--quiet', '-i', archive]);
      const refs = loadedReferences(`${stdout}\n${stderr}`);
      if (refs.length === 0)
        throw new Error(`interop: podman load printed no "Loaded image":\n${stdout}${stderr}`);
      return refs;
    },
    async save(ref, file, format) {
      await podman(['save', '--quiet', '--format', format, '--output', file, ref]);
    },
    async inspect(ref) {
      const images = JSON.parse((await podman(['image', 'inspect', ref])).stdout) as PodmanImage[];
      const image = images[0];
      if (image === undefined) throw new Error(`interop: podman image inspect ${ref} returned nothing`);
      return image;
    },
    async history(ref) {
      return JSON.parse(
        (await podman(['history', '--no-trunc', '--format', 'json', ref])).stdout,
      ) as PodmanHistoryRow[];
    },
    async run(ref, command) {
      requireTool('runc');
      requireTool('conmon');
      const [entrypoint = '', ...args] = command;
      const { stdout } = await podman(
        ['run', '--rm', '--network', 'none', ...limits, '--entrypoint', entrypoint, ref, ...args],
        60_000,
      );
      return stdout;
    },
    async readFile(ref, path) {
      const container = (await podman(['create', '--network', 'none', ref])).stdout.trim();
      try {
        const copy = join(home, `copy-${container}`);
        await podman(['cp', `${container}:${path}`, copy]);
        return readFileSync(copy);
      } finally {
        await podman(['rm', '--force', container]);
      }
    },
    async pull(ref, access) {
      const { stdout } = await podman(['pull', '--quiet', ...registryFlags(access), ref]);
      const id = stdout.trim().split('\n').at(-1) ?? '';
      if (!/^[0-9a-f]{64}$/.test(id))
        throw new Error(`interop: podman pull ${ref} printed no image ID:\n${stdout}`);
      return id;
    },
    async push(image, destination, access, format, compression) {
      await podman(pushArgs(image, destination, access, format, compression));
    },
    async login(registry, authFile, access) {
      const [user = '', ...password] = access.creds.split(':');
      const { creds: _, ...transport } = access;
      await podman([
        ...['login', '--authfile', authFile, ...registryFlags(transport)],
        ...['--username', user, '--password', password.join(':'), registry],
      ]);
    },
    async runImage(ref, args = []) {
      requireTool('runc');
      requireTool('conmon');
      const { stdout } = await podman(['run', '--rm', '--network', 'none', ...limits, ref, ...args], 60_000);
      return stdout;
    },
    async commitAfterRun(ref, command, image) {
      requireTool('runc');
      requireTool('conmon');
      const [entrypoint = '', ...args] = command;
      const name = `layerkit-interop-commit-${containers++}`;
      try {
        await podman(
          ['run', '--name', name, '--network', 'none', ...limits, '--entrypoint', entrypoint, ref, ...args],
          60_000,
        );
        await podman(['commit', '--quiet', name, image]);
      } finally {
        await podman(['rm', '--force', '--ignore', name]);
      }
    },
    async dispose() {
      try {
        await podman(['rm', '--all', '--force']);
      } finally {
        homeScratch.remove();
      }
    },
  };
}
