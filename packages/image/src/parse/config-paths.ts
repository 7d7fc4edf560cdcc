/**
 * Config paths that become host paths (`WorkingDir`, `Volumes` keys) are image data: they must be
 * absolute, and must not climb out of the rootfs (R14 of docs/threat-model.md,
 * CVE-2022-23648: `/../../etc` as a volume).
 */
import { LayerkitError } from '@layerkit/digest';
import type { ImageConfig } from '../oci-types.js';

/**
 * Checks one config path and returns it cleaned (`//`, `.` and a trailing `/` removed; `/` stays
 * `/`). Throws `INVALID_CONFIG_PATH` naming `field` for a relative path, a `..` component or NUL.
 */
export function validateConfigPath(path: string, field: string): string {
  const invalid = (problem: string): never => {
    throw new LayerkitError('INVALID_CONFIG_PATH', `config ${field} ${JSON.stringify(path)} ${problem}`, {
      field,
      path,
    });
  };
  if (!path.startsWith('/')) invalid('is not absolute');
  if (path.includes('\0')) invalid('contains NUL');
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) invalid("has a '..' component");
  return `/${parts.join('/')}`;
}

/** Validates `config.WorkingDir` and every `config.Volumes` key with {@link validateConfigPath}. */
export function validateConfigPaths(config: ImageConfig): void {
  const { WorkingDir, Volumes } = config.config ?? {};
  if (WorkingDir !== undefined && WorkingDir !== '') validateConfigPath(WorkingDir, 'WorkingDir');
  for (const volume of Object.keys(Volumes ?? {}))
    validateConfigPath(volume, `Volumes[${JSON.stringify(volume)}]`);
}
