import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Debian package that provides each client binary the interop harness drives. */
const DEBIAN_PACKAGE = {
  skopeo: 'skopeo',
  umoci: 'umoci',
  'oci-image-tool': 'oci-image-tool',
  buildah: 'buildah',
  podman: 'podman',
  conmon: 'conmon',
  runc: 'runc',
  'docker-registry': 'docker-registry',
  htpasswd: 'apache2-utils',
  openssl: 'openssl',
  containerd: 'containerd',
  ctr: 'containerd',
  dockerd: 'docker.io',
  docker: 'docker.io',
  getfattr: 'attr',
  setfattr: 'attr',
  setcap: 'libcap2-bin',
  tar: 'tar',
  bsdtar: 'libarchive-tools',
  busybox: 'busybox-static',
  umount: 'mount',
  chromium: 'chromium',
  zstd: 'zstd',
} as const;

/** A client binary the harness knows how to find (and which package to blame when it is missing). */
export type ToolName = keyof typeof DEBIAN_PACKAGE;

/**
 * Binaries pinned to one path: this machine also has a Docker 28 CLI in /usr/local/bin, while the
 * daemon is docker.io 20.10; the harness always drives the matching docker.io client.
 */
const PINNED_PATH: Partial<Record<ToolName, string>> = { docker: '/usr/bin/docker' };

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Absolute path of a client binary. Throws (so the calling test fails, never skips) with the
 * Debian package to install when the binary is missing.
 */
export function requireTool(name: ToolName): string {
  const pinned = PINNED_PATH[name];
  const candidates =
    pinned !== undefined ? [pinned] : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, name));
  const found = candidates.find(isExecutable);
  if (found === undefined) {
    const pkg = DEBIAN_PACKAGE[name];
    throw new Error(
      `interop: client '${name}' is not installed${pinned ? ` at ${pinned}` : ' (not on PATH)'}; ` +
        `install the Debian package '${pkg}': apt-get install -y --no-install-recommends ${pkg} ` +
        '(scripts/install-clients.sh installs every client)',
    );
  }
  return found;
}

/** What a finished client command printed. */
export interface ToolResult {
  /** stdout decoded as UTF-8. */
  readonly stdout: string;
  /** stdout exactly as printed (e.g. raw manifest bytes). */
  readonly stdoutBytes: Buffer;
  readonly stderr: string;
}

/** How to run one client command. */
export interface ToolOptions {
  readonly cwd?: string;
  /** Added to (and overriding) the inherited environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Killed (SIGKILL) after this long; default 120 s. */
  readonly timeoutMs?: number;
}

/** A client command that failed: its command line, exit status and everything it printed. */
export class ClientError extends Error {
  constructor(
    readonly command: readonly string[],
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stdout: string,
    readonly stderr: string,
    reason: string,
  ) {
    const output = (stderr.trim() || stdout.trim()).slice(-4000);
    super(`${command.join(' ')}: ${reason}${output ? `\n${output}` : ''}`);
    this.name = 'ClientError';
  }
}

/**
 * Runs a client to completion with stdin closed. Resolves with its output when it exits 0;
 * otherwise rejects with a {@link ClientError} carrying its stderr.
 */
export function runTool(
  name: ToolName,
  args: readonly string[],
  options: ToolOptions = {},
): Promise<ToolResult> {
  const binary = requireTool(name);
  const command = [name, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    let timedOut = false;
    const timeoutMs = options.timeoutMs ?? 120_000;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new ClientError(command, null, null, '', '', `could not start: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      const stdout = stdoutBytes.toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) {
        resolve({ stdout, stdoutBytes, stderr });
        return;
      }
      const reason = timedOut
        ? `timed out after ${timeoutMs} ms`
        : signal !== null
          ? `killed by ${signal}`
          : `exited ${code}`;
      reject(new ClientError(command, code, signal, stdout, stderr, reason));
    });
  });
}
