/** The `--creds USER[:PASS]` flag of skopeo and podman. */
import { LayerkitError } from '@layerkit/digest';
import type { RegistryCredentials } from '../../auth/credentials.js';

/**
 * Parses `--creds` as skopeo does: split at the first colon (the password may hold more), a
 * value without a colon is a username with an empty password. An empty value or an empty
 * username throws INVALID_CREDENTIALS; the message never repeats the value.
 */
export function parseCredsFlag(creds: string): RegistryCredentials {
  if (creds === '') throw new LayerkitError('INVALID_CREDENTIALS', '--creds: the credentials are empty');
  const colon = creds.indexOf(':');
  const username = colon === -1 ? creds : creds.slice(0, colon);
  if (username === '') throw new LayerkitError('INVALID_CREDENTIALS', '--creds: the username is empty');
  return { username, password: colon === -1 ? '' : creds.slice(colon + 1) };
}
