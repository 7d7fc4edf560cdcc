/**
 * Asking a Docker credential helper (`docker-credential-<name> get`, the protocol of
 * docker/docker-credential-helpers) for one server's credentials. A helper's output is the
 * secret itself, so failures report the exit status only — never its stdout or stderr.
 */
import { spawn } from 'node:child_process';
import { LayerkitError } from '@layerkit/digest';
import type { RegistryCredentials } from '../../auth/credentials.js';

/** How long a helper may take; a keychain may wait for the user to unlock it. */
const HELPER_TIMEOUT_MS = 60_000;

/** More output than any credentials JSON: the helper is broken, stop reading. */
const MAX_OUTPUT_BYTES = 1024 * 1024;

/** The Username that marks Secret as an identity token (docker/cli native_store.go). */
const TOKEN_USERNAME = '<token>';

/** Options for {@link runCredentialHelper}. */
export interface CredentialHelperOptions {
  /** The helper's environment; its PATH is where the helper is looked up. */
  env: NodeJS.ProcessEnv;
  /** Kill the helper after this long (default one minute). */
  timeoutMs?: number | undefined;
}

function helperFailed(
  program: string,
  serverUrl: string,
  problem: string,
  extra: Record<string, unknown> = {},
) {
  return new LayerkitError(
    'CREDENTIAL_HELPER_FAILED',
    `credential helper ${program} (get ${serverUrl}): ${problem}`,
    { helper: program, serverUrl, ...extra },
  );
}

/**
 * Helpers answer a miss with "credentials not found in native keychain" on stdout and a non-zero
 * exit (credentials.IsErrCredentialsNotFoundMessage); helpers outside that library shorten it.
 */
function isNotFound(output: string): boolean {
  return /^credentials not found\b/i.test(output.trim());
}

/**
 * The credentials in a helper's `{"ServerURL","Username","Secret"}` answer: `undefined` when both
 * are empty, `null` when the answer is not that JSON at all.
 */
function credentialsFrom(parsed: unknown): RegistryCredentials | undefined | null {
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { Username: username = '', Secret: secret = '' } = parsed as { Username?: unknown; Secret?: unknown };
  if (typeof username !== 'string' || typeof secret !== 'string') return null;
  if (username === TOKEN_USERNAME) return secret === '' ? undefined : { identityToken: secret };
  return username === '' && secret === '' ? undefined : { username, password: secret };
}

/**
 * Runs `docker-credential-<helper> get` with `serverUrl` on stdin and resolves the credentials
 * it prints, or `undefined` when it has none for that server. A missing program, a failure, a
 * timeout or unreadable output rejects with CREDENTIAL_HELPER_FAILED naming the helper.
 */
export function runCredentialHelper(
  helper: string,
  serverUrl: string,
  options: CredentialHelperOptions,
): Promise<RegistryCredentials | undefined> {
  const program = `docker-credential-${helper}`;
  const timeoutMs = options.timeoutMs ?? HELPER_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    // spawn looks the program up on options.env.PATH when an env is given.
    const child = spawn(program, ['get'], { env: options.env, stdio: ['pipe', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: LayerkitError | undefined, result?: RegistryCredentials) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error === undefined) {
        resolve(result);
        return;
      }
      // Do not wait for a helper that left a grandchild holding stdout open.
      child.kill('SIGKILL');
      child.stdout.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => finish(helperFailed(program, serverUrl, `no answer after ${timeoutMs} ms`, { timeoutMs })),
      timeoutMs,
    );

    child.on('error', (error: NodeJS.ErrnoException) => {
      const problem =
        error.code === 'ENOENT' ? 'not found on PATH' : `cannot run it (${error.code ?? 'error'})`;
      finish(helperFailed(program, serverUrl, problem, { errno: error.code }));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_OUTPUT_BYTES) {
        chunks.push(chunk);
        return;
      }
      finish(helperFailed(program, serverUrl, `printed over ${MAX_OUTPUT_BYTES} bytes`));
    });
    child.on('close', (exitCode, signal) => {
      if (settled) return;
      const output = Buffer.concat(chunks).toString('utf8');
      if (isNotFound(output)) {
        finish(undefined);
        return;
      }
      if (exitCode !== 0) {
        const status = signal === null ? `exit code ${exitCode}` : `signal ${signal}`;
        finish(helperFailed(program, serverUrl, `failed (${status})`, { exitCode, signal }));
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(output);
      } catch {
        parsed = undefined;
      }
      const credentials = credentialsFrom(parsed);
      if (credentials === null) finish(helperFailed(program, serverUrl, 'printed no credentials JSON'));
      else finish(undefined, credentials);
    });

    // A helper may exit without reading stdin; the broken pipe is not the failure to report.
    child.stdin.on('error', () => {});
    child.stdin.end(serverUrl);
  });
}
