/** Turning one `auths` entry of an auth file into credentials. */
import type { RegistryCredentials } from '../../auth/credentials.js';
import { type AuthEntry, invalidAuthFile } from './auth-file.js';

/** Standard padded base64, as Go's base64.StdEncoding decodes it (which skips CR and LF). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The credentials in `entry` (the entry for `key` in the file at `path`), or `undefined` for an
 * empty entry — Docker writes `{}` for registries whose credentials live in a helper.
 * `auth` is base64 of `user:password`, split at the first colon (passwords may hold colons);
 * NULs around the password are dropped as Docker and containers/image do. An `identitytoken`
 * wins over the password. A malformed `auth` throws INVALID_AUTH_FILE naming the file and key.
 */
export function decodeAuthEntry(
  path: string,
  key: string,
  entry: AuthEntry,
): RegistryCredentials | undefined {
  let basic: { username: string; password: string } | undefined;
  if (entry.auth !== '') {
    const encoded = entry.auth.replace(/[\r\n]/g, '');
    if (!BASE64.test(encoded)) throw invalidAuthFile(path, `the "auth" of "${key}" is not base64`, { key });
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) throw invalidAuthFile(path, `the "auth" of "${key}" is not "user:password"`, { key });
    basic = {
      username: decoded.slice(0, colon),
      password: decoded.slice(colon + 1).replace(/^\0+|\0+$/g, ''),
    };
  }
  if (entry.identitytoken !== '') {
    return basic?.username
      ? { identityToken: entry.identitytoken, username: basic.username }
      : { identityToken: entry.identitytoken };
  }
  return basic;
}
