/**
 * Which auth files are searched, in which order: containers/image's getAuthFilePaths and
 * getPathToAuth (pkg/docker/config/config.go), which skopeo, podman and buildah share.
 */
import { join } from 'node:path';
import type { AuthFileLocation } from './auth-file.js';

/** What decides the search path. */
export interface AuthFileSearch {
  /** `--authfile`: the only file searched when given. */
  authFile?: string | undefined;
  /** Read for REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR, XDG_CONFIG_HOME and DOCKER_CONFIG. */
  env: NodeJS.ProcessEnv;
  homeDir: string;
}

/**
 * The auth files to search, best first:
 * 1. `--authfile`, else `$REGISTRY_AUTH_FILE` (skopeo's flag default) — alone;
 * 2. otherwise `$XDG_RUNTIME_DIR/containers/auth.json` (without XDG_RUNTIME_DIR:
 *    `/run/containers/<uid>/auth.json`; off Linux: `~/.config/containers/auth.json`),
 *    `${XDG_CONFIG_HOME:-~/.config}/containers/auth.json`,
 *    `$DOCKER_CONFIG/config.json` or else `~/.docker/config.json`, and the legacy `~/.dockercfg`.
 *
 * `platform` and `uid` exist for tests.
 */
export function authFileLocations(
  search: AuthFileSearch,
  platform: NodeJS.Platform = process.platform,
  uid: number = process.getuid?.() ?? 0,
): AuthFileLocation[] {
  const { env, homeDir } = search;
  const chosen = search.authFile || env.REGISTRY_AUTH_FILE;
  if (chosen) return [{ path: chosen, legacy: false }];

  let perSession: string;
  if (platform !== 'linux') perSession = join(homeDir, '.config', 'containers', 'auth.json');
  else if (env.XDG_RUNTIME_DIR) perSession = join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json');
  else perSession = join('/run/containers', String(uid), 'auth.json');

  const configHome = env.XDG_CONFIG_HOME || join(homeDir, '.config');
  const dockerConfig = env.DOCKER_CONFIG
    ? join(env.DOCKER_CONFIG, 'config.json')
    : join(homeDir, '.docker', 'config.json');
  return [
    { path: perSession, legacy: false },
    { path: join(configHome, 'containers', 'auth.json'), legacy: false },
    { path: dockerConfig, legacy: false },
    { path: join(homeDir, '.dockercfg'), legacy: true },
  ];
}
