import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeScratchDir, removeScratchDir } from './scratch.js';
import { requireTool, runTool } from './tools.js';

/** `podman image inspect` output (fields this harness reads; podman prints more). */
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
  const home = makeScratchDir('podman');
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
      // explicit rlimits: podman's default (1048576) exceeds this sandbox's hard limit
      const limits = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
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
    async dispose() {
      try {
        await podman(['rm', '--all', '--force']);
      } finally {
        removeScratchDir(home);
      }
    },
  };
}
