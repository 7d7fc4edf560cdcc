/**
 * Shared helpers for the credential-lookup tests: a sandboxed home with every auth file location,
 * real helper programs (small shell scripts on the sandbox's PATH), and the no-leak check. Each
 * sandbox's env is passed explicitly, so the machine's own auth files are never read.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inspect } from 'node:util';
import { isLayerkitError, type LayerkitError } from '@layerkit/digest';
import { afterAll, expect } from 'vitest';

const root = mkdtempSync(join(tmpdir(), 'layerkit-credentials-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let sandboxes = 0;

/** A fake machine: a home, a runtime dir and a bin dir, and the env that points at them. */
export interface Sandbox {
  dir: string;
  home: string;
  bin: string;
  env: Record<string, string>;
  /** The default auth files, in containers/image's search order. */
  paths: { runtime: string; configHome: string; docker: string; legacy: string };
}

/** A fresh sandbox; XDG_CONFIG_HOME and DOCKER_CONFIG are unset, so the defaults under HOME apply. */
export function sandbox(): Sandbox {
  const dir = join(root, String(sandboxes++));
  const home = join(dir, 'home');
  const runtimeDir = join(dir, 'run');
  const bin = join(dir, 'bin');
  for (const path of [home, runtimeDir, bin]) mkdirSync(path, { recursive: true });
  return {
    dir,
    home,
    bin,
    env: { HOME: home, XDG_RUNTIME_DIR: runtimeDir, PATH: `${bin}:/usr/bin:/bin` },
    paths: {
      runtime: join(runtimeDir, 'containers', 'auth.json'),
      configHome: join(home, '.config', 'containers', 'auth.json'),
      docker: join(home, '.docker', 'config.json'),
      legacy: join(home, '.dockercfg'),
    },
  };
}

/** Writes `text` to `path`, creating its directory. */
export function writeText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Writes `value` as JSON to `path`. */
export function writeJson(path: string, value: unknown): void {
  writeText(path, JSON.stringify(value, null, 2));
}

/** The `auth` value Docker writes: base64 of `user:password`. */
export function basic(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`).toString('base64');
}

/**
 * Installs `docker-credential-<name>` into the sandbox's bin: a shell script that logs the server
 * URL it was given on stdin (one line per run, see {@link helperLog}), then runs `body` with the
 * URL in `$server`.
 */
export function writeHelper(box: Sandbox, name: string, body: string): void {
  const program = join(box.bin, `docker-credential-${name}`);
  const log = `${program}.log`;
  writeText(
    program,
    `#!/bin/sh\n[ "$1" = get ] || exit 64\nserver=$(cat)\nprintf '%s\\n' "$server" >> '${log}'\n${body}\n`,
  );
  chmodSync(program, 0o755);
}

/** The server URLs helper `name` was asked for, one per run. */
export function helperLog(box: Sandbox, name: string): string[] {
  const log = join(box.bin, `docker-credential-${name}.log`);
  return existsSync(log)
    ? readFileSync(log, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
    : [];
}

/** A helper body that answers `{"Username","Secret"}`. */
export function answer(username: string, secret: string): string {
  return `printf '%s' '${JSON.stringify({ ServerURL: 'ignored', Username: username, Secret: secret })}'`;
}

/** The LayerkitError `promise` rejects with (fails the test if it resolves or rejects otherwise). */
export async function rejection(promise: Promise<unknown>): Promise<LayerkitError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!isLayerkitError(error)) throw new Error(`expected a LayerkitError, got ${inspect(error)}`);
  return error;
}

/** The LayerkitError `run` throws synchronously. */
export function thrown(run: () => unknown): LayerkitError {
  try {
    run();
  } catch (error) {
    if (isLayerkitError(error)) return error;
    throw error;
  }
  throw new Error('expected a LayerkitError, nothing was thrown');
}

/**
 * Asserts no secret shows anywhere an error may end up: its message, details, stack,
 * `toString()`, `JSON.stringify` and `util.inspect` (which prints the `cause` chain too).
 */
export function expectNoSecrets(error: LayerkitError, secrets: readonly string[]): void {
  const views = {
    message: error.message,
    details: JSON.stringify(error.details),
    stack: error.stack ?? '',
    toString: String(error),
    json: JSON.stringify(error),
    inspect: inspect(error, { depth: Number.POSITIVE_INFINITY }),
  };
  for (const secret of secrets) {
    for (const [view, text] of Object.entries(views)) {
      expect(
        text.includes(secret),
        `${view} of ${error.code} must not contain ${JSON.stringify(secret)}`,
      ).toBe(false);
    }
  }
}
