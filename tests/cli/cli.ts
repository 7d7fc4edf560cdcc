/**
 * The CLI tests' tools: the BUILT `layerkit` binary run as a subprocess (as a user runs it),
 * root filesystems with fixed contents, modes, owners and times (so the images built from them
 * have fixed digests), and readers for what a layout holds. Scratch directories come from
 * `tests/fixtures/scratch.ts`.
 */
import { type ChildProcess, type SpawnSyncOptions, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  lchownSync,
  lutimesSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import { bytesOf } from '../fixtures/deterministic-bytes.js';

/** The repository root. */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** The built entry points. */
export const BIN = join(REPO, 'packages/cli/dist/layerkit.js');
export const DEMO = join(REPO, 'packages/cli/dist/demo.js');

/** `tsc -b packages/cli`: brings the CLI's dist (and the packages it uses) up to date. */
export function buildCli(): void {
  const result = spawnSync(join(REPO, 'node_modules/.bin/tsc'), ['-b', 'packages/cli'], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (result.status !== 0) throw new Error(`tsc -b packages/cli failed:\n${result.stdout}${result.stderr}`);
}

/** How a finished `layerkit` run ended and what it printed. */
export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Options of a run: working directory, extra environment (TZ is UTC unless given), a fixed clock. */
export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** The run's current time (ISO 8601), fixed by fixed-clock-hook.mjs: for output relative to now. */
  now?: string;
}

/** The preload that fixes the clock of a run (see fixed-clock-hook.mjs). */
const FIXED_CLOCK_HOOK = pathToFileURL(join(REPO, 'tests/cli/fixed-clock-hook.mjs')).href;

/** The environment of a run: the caller's, with TZ=UTC unless given, and `env` on top. */
export function environment(env: RunOptions['env']): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env, TZ: 'UTC', ...env };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  return merged;
}

/** Runs `node packages/cli/dist/layerkit.js ARGS…` to completion (stdin, stdout, stderr are pipes). */
export function layerkit(args: readonly string[], options: RunOptions = {}): Run {
  const spawnOptions: SpawnSyncOptions = {
    cwd: options.cwd ?? REPO,
    env: environment({
      ...options.env,
      ...(options.now === undefined ? {} : { LAYERKIT_TEST_NOW: options.now }),
    }),
    encoding: 'utf8',
    timeout: 120_000,
  };
  const preload = options.now === undefined ? [] : ['--import', FIXED_CLOCK_HOOK];
  const result = spawnSync(process.execPath, [...preload, BIN, ...args], spawnOptions);
  if (result.error) throw result.error;
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Starts `layerkit ARGS…` without waiting (several run at once); resolves when it exits. */
export function layerkitInBackground(args: readonly string[], options: RunOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? REPO,
      env: environment(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Runs `layerkit ARGS…` and returns its stdout; throws with its stderr when it fails. */
export function ok(args: readonly string[], options: RunOptions = {}): string {
  const run = layerkit(args, options);
  if (run.status !== 0) throw new Error(`layerkit ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return run.stdout;
}

/**
 * Runs `layerkit ARGS…` and expects it to fail with exit 1, nothing on stdout and the one line
 * `layerkit: COMMAND: MESSAGE` on stderr (a RegExp must match the whole MESSAGE).
 */
export function failsWith(args: readonly string[], message: string | RegExp, options: RunOptions = {}): void {
  const run = layerkit(args, options);
  expect(run.stdout).toBe('');
  if (typeof message === 'string') expect(run.stderr).toBe(`layerkit: ${args[0]}: ${message}\n`);
  else expect(run.stderr).toMatch(new RegExp(`^layerkit: ${args[0]}: (?:${message.source})\n$`));
  expect(run.status).toBe(1);
}

/** The preload that holds a run at a chosen point (see pause-hook.mjs). */
const PAUSE_HOOK = pathToFileURL(join(REPO, 'tests/cli/pause-hook.mjs')).href;

/** A `layerkit` run in the background that stops at a chosen point until told to go on. */
export interface HeldRun {
  child: ChildProcess;
  /** True once the run is held at the point; false when it ended without reaching it. */
  held: Promise<boolean>;
  /** Lets the held run go on. */
  resume(): void;
  /** How the run ended and what it printed. */
  done: Promise<Run>;
}

/**
 * Starts `layerkit ARGS…` (stdin ignored, stdout and stderr piped) held at its first open of a
 * path matching `pauseAt`: the run blocks there, inside that open, until {@link HeldRun.resume}.
 */
export function startHeld(args: readonly string[], pauseAt: RegExp, options: RunOptions = {}): HeldRun {
  const child = spawn(process.execPath, ['--import', PAUSE_HOOK, BIN, ...args], {
    cwd: options.cwd ?? REPO,
    env: environment({ ...options.env, LAYERKIT_TEST_PAUSE_AT: pauseAt.source }),
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const control = child.stdio[3] as Duplex;
  // Once the run is over the pipe is closed: a late write must not become an uncaught error.
  control.on('error', () => undefined);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<Run>((resolve) => {
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  const held = new Promise<boolean>((resolve) => {
    control.once('data', () => resolve(true));
    void done.then(() => resolve(false));
  });
  return { child, held, resume: () => control.write('go'), done };
}

/** A fixed mtime for tree entries (2023-11-14), before every epoch the tests use. */
export const MTIME = 1_700_000_000;
/** SOURCE_DATE_EPOCH of the tests' image steps (2024-06-01T00:00:00Z) and later steps. */
export const EPOCH = 1_717_200_000;

/** One file of a fixture tree: content, and mode (default 0644). */
export type FixtureFile = string | Uint8Array | { content: string | Uint8Array; mode: number };

/**
 * Writes `files` under `root` (created), then fixes every directory at 0755 and every entry's
 * owner (root, when running as root) and mtime, deepest first, so the tree's layer is the same
 * bytes on every run.
 */
export function writeTree(root: string, files: Record<string, FixtureFile>): void {
  mkdirSync(root, { recursive: true });
  for (const [path, file] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    const { content, mode } =
      typeof file === 'object' && 'mode' in file ? file : { content: file, mode: 0o644 };
    writeFileSync(full, content);
    chmodSync(full, mode);
  }
  fixTimes(root);
}

/** Sets owner (as root) and mtime of every entry under `root`, and 0755 on its directories. */
export function fixTimes(root: string): void {
  const visit = (path: string) => {
    const entries = readdirSync(path, { withFileTypes: true });
    for (const entry of entries) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) {
        visit(child);
        chmodSync(child, 0o755);
      }
      settle(child);
    }
  };
  visit(root);
  chmodSync(root, 0o755);
  settle(root);
}

function settle(path: string): void {
  if (process.getuid?.() === 0) lchownSync(path, 0, 0);
  lutimesSync(path, MTIME, MTIME);
}

/** Deterministic fixture bytes, shared with the other suites. */
export { bytesOf };

/** The names in a layout's `blobs/` (temp files included) and `blobs/sha256/`, sorted. */
export function blobNames(layout: string): { temp: string[]; blobs: string[] } {
  return {
    temp: readdirSync(join(layout, 'blobs'))
      .filter((name) => name !== 'sha256')
      .sort(),
    blobs: readdirSync(join(layout, 'blobs', 'sha256')).sort(),
  };
}

/** The bytes of a file, as text. */
export function text(path: string): string {
  return readFileSync(path, 'utf8');
}

/** One image of an OCI layout, read back: its manifest digest, manifest, config digest and config. */
export interface LayoutImage {
  manifestDigest: string;
  manifest: { layers: { mediaType: string; digest: string; size: number }[]; config: { digest: string } };
  configDigest: string;
  config: {
    author?: string;
    created?: string;
    config?: Record<string, unknown>;
    rootfs: { diff_ids: string[] };
    history?: {
      created?: string;
      created_by?: string;
      author?: string;
      comment?: string;
      empty_layer?: boolean;
    }[];
  };
}

/** Reads the image `tag` names in the layout at `layout`. */
export function readImage(layout: string, tag: string): LayoutImage {
  const blob = (digest: string) => join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length));
  const index = JSON.parse(text(join(layout, 'index.json'))) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (entry === undefined) throw new Error(`no tag ${tag} in ${layout}`);
  const manifest = JSON.parse(text(blob(entry.digest))) as LayoutImage['manifest'];
  const config = JSON.parse(text(blob(manifest.config.digest))) as LayoutImage['config'];
  return { manifestDigest: entry.digest, manifest, configDigest: manifest.config.digest, config };
}
