/**
 * How auth files name registries. Docker, podman and skopeo have written the same registry under
 * many keys over the years; this module decides which key of a file applies to a repository.
 */

/** Docker Hub's host names; image references call it `docker.io`. */
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** The key `docker login` stores Docker Hub credentials under, and the server URL it asks helpers for. */
const DOCKER_HUB_SERVER_URL = 'https://index.docker.io/v1/';

/** `host` with every Docker Hub alias folded to `docker.io`; other hosts unchanged. */
function canonicalRegistry(host: string): string {
  return DOCKER_HUB_HOSTS.has(host) ? 'docker.io' : host;
}

/**
 * The registry a key names as a whole, or `undefined` for a namespace key (`host/ns`). URL keys
 * (`https://host:port/v1/`, written by old `docker login`) and every key of a legacy `.dockercfg`
 * name their host; so does a bare `host:port` with trailing slashes (`docker login host:5000/`).
 */
function registryOfKey(key: string, legacy: boolean): string | undefined {
  const withoutScheme = key.replace(/^https?:\/\//, '');
  if (legacy || withoutScheme !== key) return canonicalRegistry(withoutScheme.split('/', 1)[0]!);
  const trimmed = withoutScheme.replace(/\/+$/, '');
  return trimmed.includes('/') ? undefined : canonicalRegistry(trimmed);
}

/**
 * The keys that may hold credentials for `repository` on `registry`, best first:
 * `host/ns/repo`, `host/ns`, `host` (containers/image's repository-scoped keys). A legacy
 * `.dockercfg` only has registry keys.
 */
function lookupScopes(registry: string, repository: string, legacy: boolean): string[] {
  const scopes = [registry];
  if (legacy) return scopes;
  let scope = registry;
  for (const part of repository.split('/').filter((segment) => segment !== '')) {
    scope = `${scope}/${part}`;
    scopes.unshift(scope);
  }
  return scopes;
}

/**
 * The `auths` key of one file that applies to `repository` on `registry`, or `undefined`.
 * Scoped keys are matched exactly (a spelling with trailing slashes counts), most specific
 * first; only then is any key that names the whole registry in another spelling accepted.
 */
export function findAuthKey(
  keys: readonly string[],
  registry: string,
  repository: string,
  legacy: boolean,
): string | undefined {
  const host = canonicalRegistry(registry);
  for (const scope of lookupScopes(host, repository, legacy)) {
    const exact = keys.find((key) => key === scope);
    if (exact !== undefined) return exact;
    const slashed = keys.find((key) => !/^https?:\/\//.test(key) && key.replace(/\/+$/, '') === scope);
    if (slashed !== undefined) return slashed;
  }
  return keys.find((key) => registryOfKey(key, legacy) === host);
}

/** A credential helper to ask, and the server URL to ask it for. */
export interface HelperChoice {
  /** The helper's name: the program is `docker-credential-<name>`. */
  helper: string;
  /** What the helper gets on stdin; helpers store credentials under the URL they were given. */
  serverUrl: string;
}

/**
 * The `credHelpers` entry for `registry`. podman and skopeo key (and store) Docker Hub as
 * `docker.io`, the Docker CLI as `https://index.docker.io/v1/`; the helper is asked for the
 * spelling its key uses, since that is what the tool that wrote it stored. An empty helper name
 * means none, as in the Docker CLI.
 */
export function findCredHelper(
  credHelpers: ReadonlyMap<string, string>,
  registry: string,
): HelperChoice | undefined {
  const host = canonicalRegistry(registry);
  const keys = host === 'docker.io' ? ['docker.io', DOCKER_HUB_SERVER_URL] : [host];
  for (const key of keys) {
    const helper = credHelpers.get(key);
    if (helper) return { helper, serverUrl: key };
  }
  return undefined;
}

/** The server URL the Docker CLI asks its `credsStore` for: the host, or Docker Hub's v1 URL. */
export function dockerServerUrl(registry: string): string {
  const host = canonicalRegistry(registry);
  return host === 'docker.io' ? DOCKER_HUB_SERVER_URL : host;
}
