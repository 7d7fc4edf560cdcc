/** The credential lookup of skopeo and podman, with the Docker CLI's config.json. */
import { homedir } from 'node:os';
import type { CredentialsProvider, RegistryCredentials } from '../../auth/credentials.js';
import { type AuthFile, type AuthFileLocation, readAuthFile } from './auth-file.js';
import { authFileLocations } from './auth-file-locations.js';
import { runCredentialHelper } from './credential-helper.js';
import { parseCredsFlag } from './creds-flag.js';
import { credentialsInFile } from './file-credentials.js';

/** Options for {@link defaultCredentials}; each mirrors a skopeo flag or what it reads. */
export interface DefaultCredentialsOptions {
  /** `--creds`: `USER:PASS`, or `USER` for an empty password. Used for every registry when given. */
  creds?: string | undefined;
  /** `--authfile`: the only auth file read when given (it beats REGISTRY_AUTH_FILE). */
  authFile?: string | undefined;
  /**
   * The environment: REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR, XDG_CONFIG_HOME, DOCKER_CONFIG, HOME, and
   * the PATH and environment credential helpers run with. Default `process.env`.
   */
  env?: NodeJS.ProcessEnv | undefined;
  /** The home directory (`~/.docker`, `~/.dockercfg`, `~/.config`). Default `$HOME`, else the OS's. */
  homeDir?: string | undefined;
}

/**
 * The credentials skopeo would use. `--creds` first, for every registry; otherwise the first auth
 * file (in containers/image's order, see authFileLocations) that has credentials for the
 * repository: through a `credHelpers` helper, an `auths` entry, or the `credsStore` helper.
 * Anonymous access when none has any.
 *
 * Each file is read once, on first use, and kept with its error if it is malformed
 * (INVALID_AUTH_FILE); a missing file is skipped. Each helper answer is kept per helper and
 * server; a failing helper (CREDENTIAL_HELPER_FAILED) is asked again next time. A bad `creds`
 * throws INVALID_CREDENTIALS here. No error carries a credential.
 */
export function defaultCredentials(options: DefaultCredentialsOptions = {}): CredentialsProvider {
  if (options.creds !== undefined) {
    const flag = parseCredsFlag(options.creds);
    return async () => ({ ...flag });
  }
  const env = options.env ?? process.env;
  const homeDir = options.homeDir ?? (env.HOME || homedir());
  const locations = authFileLocations({ authFile: options.authFile, env, homeDir });

  const files = new Map<string, Promise<AuthFile | undefined>>();
  const readOnce = (location: AuthFileLocation) => {
    let file = files.get(location.path);
    if (file === undefined) {
      file = readAuthFile(location);
      files.set(location.path, file);
    }
    return file;
  };

  const answers = new Map<string, Promise<RegistryCredentials | undefined>>();
  const ask = async (helper: string, serverUrl: string) => {
    const key = JSON.stringify([helper, serverUrl]);
    let answer = answers.get(key);
    if (answer === undefined) {
      answer = runCredentialHelper(helper, serverUrl, { env });
      answers.set(key, answer);
      // A locked keychain or a timeout may pass: keep answers, not failures.
      answer.catch(() => answers.delete(key));
    }
    const credentials = await answer;
    return credentials && { ...credentials };
  };

  return async (registry, repository) => {
    for (const location of locations) {
      const file = await readOnce(location);
      const credentials = file && (await credentialsInFile(file, registry, repository, ask));
      if (credentials) return credentials;
    }
    return undefined;
  };
}
