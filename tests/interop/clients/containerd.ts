import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, waitUntilReady } from './daemon.js';
import { recordHostResidue } from './host-residue.js';
import { interopScratchDir } from './scratch.js';
import { requireTool, runTool } from './tools.js';

/** One row of `ctr images check`. */
export interface ContainerdImageCheck {
  readonly ref: string;
  readonly mediaType: string;
  /** Manifest (or index) digest. */
  readonly digest: string;
  /** All blobs present: `complete (n/n)`. */
  readonly complete: boolean;
  /** Layers unpacked into snapshots of the snapshotter in use. */
  readonly unpacked: boolean;
}

/** One image `ctr image import` unpacked. */
export interface ContainerdImported {
  readonly ref: string;
  /** Digest of the manifest (or index) as stored in the archive. */
  readonly digest: string;
}

/** Options of {@link Containerd.import}. */
export interface ContainerdImportOptions {
  /**
   * `--base-name`: needed for oci-archives whose `ref.name` is a bare tag (`latest`); it also
   * filters, importing only names under it.
   */
  readonly baseName?: string;
}

/** How {@link Containerd.pull} reaches the registry. */
export interface ContainerdPullOptions {
  /** `--plain-http`. */
  readonly plainHttp?: boolean;
  /**
   * The CA to verify the registry's certificate with, given as a `hosts.toml` (`--hosts-dir`)
   * that names the registry's `https://` URL: ctr 1.6 assumes plain HTTP for a loopback host on a
   * port other than 443 (a TLS registry then answers `400 Bad Request`), and `--tlscacert` alone
   * does not change the scheme.
   */
  readonly caFile?: string;
  /** `--user USER:PASSWORD`. */
  readonly user?: string;
}

/** A private containerd 1.6 (temp root/state, unix socket, native snapshotter, no CRI, no TCP). */
export interface Containerd {
  /** The daemon's gRPC unix socket. */
  readonly socket: string;
  /**
   * `ctr image import --digests` of a docker-archive or oci-archive, unpacked into snapshots.
   * Returns what it imported; an unnamed image is named `import-DATE@DIGEST`.
   */
  import(archive: string, options?: ContainerdImportOptions): Promise<ContainerdImported[]>;
  /**
   * `ctr images pull REF` (`HOST:PORT/REPO:TAG`) for the host platform, unpacked into snapshots;
   * blobs are verified against their descriptors as they arrive.
   */
  pull(ref: string, options?: ContainerdPullOptions): Promise<void>;
  /** `ctr images check`: are the images complete and unpacked. */
  check(): Promise<ContainerdImageCheck[]>;
  /**
   * `ctr images export FILE REF`: the image as containerd writes it, an OCI layout tar (index
   * naming it) that also carries Docker's `manifest.json`.
   */
  export(ref: string, file: string): Promise<void>;
  /** `ctr run --rm REF ID COMMAND…`; returns the task's stdout and stderr (interleaved). */
  run(ref: string, command: readonly string[]): Promise<string>;
  /** Kills tasks and shims, stops the daemon by PID, removes its dirs and its /run residue. */
  stop(): Promise<void>;
}

const NAMESPACE = 'layerkit-interop';
/** Processes that keep shim sockets in /run/containerd: other containerds, their shims, dockerd. */
const DAEMONS_USING_RUN_CONTAINERD = ['containerd', 'containerd-shim', 'dockerd'];
const SNAPSHOTTER = 'native';

function configToml(home: string, socket: string): string {
  const disabled = [
    'io.containerd.grpc.v1.cri',
    'io.containerd.snapshotter.v1.btrfs',
    'io.containerd.snapshotter.v1.zfs',
    'io.containerd.snapshotter.v1.devmapper',
    'io.containerd.snapshotter.v1.aufs',
    'io.containerd.tracing.processor.v1.otlp',
    'io.containerd.internal.v1.tracing',
  ];
  return [
    'version = 2',
    `root = "${home}/root"`,
    `state = "${home}/state"`,
    `disabled_plugins = ${JSON.stringify(disabled)}`,
    '[grpc]',
    `  address = "${socket}"`,
    '[ttrpc]',
    `  address = "${socket}.ttrpc"`,
    '[debug]',
    '  address = ""',
    '[metrics]',
    '  address = ""',
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = "${home}/opt"`,
    '',
  ].join('\n');
}

/** PIDs of processes whose command line names `socket` (this daemon's shims). */
function processesUsing(socket: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(socket);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Parses `ctr images check` rows: REF TYPE DIGEST STATUS SIZE UNPACKED. */
function parseCheck(output: string): ContainerdImageCheck[] {
  const row = /^(\S+)\s+(\S+)\s+(sha256:[0-9a-f]{64})\s+(\w+) \((\d+)\/(\d+)\)\s.*\s(true|false)\s*$/;
  return output
    .split('\n')
    .slice(1)
    .flatMap((line) => {
      const m = row.exec(line);
      if (m === null) return [];
      const [, ref = '', mediaType = '', digest = '', status, have, want, unpacked] = m;
      return [
        {
          ref,
          mediaType,
          digest,
          complete: status === 'complete' && have === want,
          unpacked: unpacked === 'true',
        },
      ];
    });
}

/**
 * Starts containerd and waits until `ctr version` answers. Share one per test file
 * (beforeAll / afterAll → {@link Containerd.stop}).
 */
export async function startContainerd(): Promise<Containerd> {
  requireTool('ctr');
  const homeScratch = interopScratchDir('containerd');
  const home = homeScratch.path;
  const socket = join(home, 'containerd.sock');
  const config = join(home, 'config.toml');
  writeFileSync(config, configToml(home, socket));
  // containerd 1.6 puts shim sockets under /run/containerd whatever `state` says
  const residue = recordHostResidue(['/run/containerd'], DAEMONS_USING_RUN_CONTAINERD);
  const daemon = startDaemon('containerd', ['--config', config], join(home, 'containerd.log'));
  const ctr = (args: readonly string[], timeoutMs?: number) =>
    runTool('ctr', ['--address', socket, '--namespace', NAMESPACE, ...args], timeoutMs ? { timeoutMs } : {});
  const stop = async () => {
    try {
      if (!daemon.exited()) {
        const tasks = (await ctr(['tasks', 'ls', '--quiet']).catch(() => ({ stdout: '' }))).stdout;
        for (const task of tasks.split('\n').filter(Boolean)) {
          await ctr(['tasks', 'kill', '--signal', 'SIGKILL', task]).catch(() => undefined);
          await ctr(['tasks', 'delete', '--force', task]).catch(() => undefined);
          await ctr(['containers', 'delete', task]).catch(() => undefined);
        }
      }
      await daemon.stop();
      // a shim may outlive its daemon; its command line names our private socket
      for (const pid of processesUsing(socket)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // exited on its own in the meantime
        }
      }
    } finally {
      homeScratch.remove();
      residue.remove();
    }
  };
  try {
    await waitUntilReady(daemon, async () => existsSync(socket) && (await ctr(['version'])).stdout !== '');
  } catch (error) {
    await stop();
    throw error;
  }
  let runs = 0;
  return {
    socket,
    async import(archive, options = {}) {
      const baseName = options.baseName ? ['--base-name', options.baseName] : [];
      const { stdout } = await ctr([
        ...['images', 'import', '--snapshotter', SNAPSHOTTER, '--digests', '--skip-digest-for-named'],
        ...baseName,
        archive,
      ]);
      // one "unpacking REF (DIGEST)...done" line per image
      return [...stdout.matchAll(/^unpacking (\S+) \((sha256:[0-9a-f]{64})\)\.\.\.done$/gm)].map(
        ([, ref = '', digest = '']) => ({ ref, digest }),
      );
    },
    async pull(ref, options = {}) {
      let hostsDir: string[] = [];
      if (options.caFile !== undefined) {
        const host = ref.split('/')[0] ?? '';
        const dir = join(home, 'hosts', host);
        mkdirSync(dir, { recursive: true });
        const server = JSON.stringify(`https://${host}`);
        writeFileSync(
          join(dir, 'hosts.toml'),
          `server = ${server}\n[host.${server}]\n  ca = ${JSON.stringify(options.caFile)}\n`,
        );
        hostsDir = ['--hosts-dir', join(home, 'hosts')];
      }
      await ctr([
        ...['images', 'pull', '--snapshotter', SNAPSHOTTER],
        ...(options.plainHttp ? ['--plain-http'] : []),
        ...hostsDir,
        ...(options.user !== undefined ? ['--user', options.user] : []),
        ref,
      ]);
    },
    async check() {
      return parseCheck((await ctr(['images', 'check', '--snapshotter', SNAPSHOTTER])).stdout);
    },
    async export(ref, file) {
      await ctr(['images', 'export', file, ref]);
    },
    async run(ref, command) {
      requireTool('runc');
      const id = `run-${runs++}`;
      const output = join(home, `${id}.log`);
      // output through --log-uri: ctr never closes a task's stdin fifo, so a command that
      // reads stdin would hang on an attached terminal-less stdio
      await ctr(
        [
          ...['run', '--rm', '--snapshotter', SNAPSHOTTER],
          ...[
            '--runc-root',
            join(home, 'runc'),
            '--fifo-dir',
            join(home, 'fifo'),
            '--log-uri',
            `file://${output}`,
          ],
          ref,
          id,
          ...command,
        ],
        60_000,
      );
      return existsSync(output) ? readFileSync(output, 'utf8') : '';
    },
    stop,
  };
}
