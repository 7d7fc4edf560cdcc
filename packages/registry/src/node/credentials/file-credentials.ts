/** The credentials one auth file gives a repository: its helpers first, then its `auths`. */
import { isLayerkitError } from '@layerkit/digest';
import type { RegistryCredentials } from '../../auth/credentials.js';
import { decodeAuthEntry } from './auth-entry.js';
import type { AuthFile } from './auth-file.js';
import { dockerServerUrl, findAuthKey, findCredHelper } from './registry-keys.js';

/** Asks credential helper `helper` for `serverUrl`'s credentials. */
export type AskHelper = (helper: string, serverUrl: string) => Promise<RegistryCredentials | undefined>;

/**
 * The credentials `file` holds for `repository` on `registry`, or `undefined` to go on to the
 * next file:
 * 1. a `credHelpers` entry for the registry decides alone (containers/image findCredentialsInFile;
 *    helpers are per registry, never per repository);
 * 2. else the best `auths` key (see findAuthKey) decides, if its entry holds credentials;
 * 3. else the Docker CLI's `credsStore` helper — the `{}` entries Docker writes next to it are
 *    markers, not credentials. containers/image ignores `credsStore`; a file with a real entry
 *    gives that entry, as skopeo would. A `credsStore` whose program is not installed (a Docker
 *    Desktop config copied to a CI machine) means anonymous access, as in skopeo, not a failure.
 */
export async function credentialsInFile(
  file: AuthFile,
  registry: string,
  repository: string,
  ask: AskHelper,
): Promise<RegistryCredentials | undefined> {
  const choice = findCredHelper(file.credHelpers, registry);
  if (choice) return ask(choice.helper, choice.serverUrl);
  const key = findAuthKey([...file.auths.keys()], registry, repository, file.legacy);
  const credentials = key === undefined ? undefined : decodeAuthEntry(file.path, key, file.auths.get(key)!);
  if (credentials) return credentials;
  if (file.credsStore) {
    return ask(file.credsStore, dockerServerUrl(registry)).catch((error: unknown) => {
      if (isLayerkitError(error, 'CREDENTIAL_HELPER_FAILED') && error.details.errno === 'ENOENT')
        return undefined;
      throw error;
    });
  }
  return undefined;
}
