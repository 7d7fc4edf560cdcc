/**
 * Finding registry credentials on this machine the way skopeo, podman and the Docker CLI do:
 * `--creds`, auth files (`auth.json`, `~/.docker/config.json`, `~/.dockercfg`) and
 * `docker-credential-*` helpers.
 */
export { type DefaultCredentialsOptions, defaultCredentials } from './default-credentials.js';
