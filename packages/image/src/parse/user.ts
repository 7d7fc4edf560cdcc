/**
 * The config `User` field (config.md): `user`, `uid`, `user:group`, `uid:gid`, `uid:group` or
 * `user:gid`. Numeric ids are checked before anyone turns them into a uid
 * (R15, docs/threat-model.md#r15).
 */
import { LayerkitError } from '@layerkit/digest';

/** The largest usable uid/gid: 2^32−1 is chown's "unchanged" (-1), so ids stop one below. */
export const MAX_ID = 2 ** 32 - 2;

/** A parsed `User`: each side is a numeric id or a name to look up in the image's passwd/group. */
export interface UserSpec {
  user: number | string;
  /** Absent when no group was given: the primary and supplementary groups then come from the image. */
  group?: number | string;
}

/**
 * Parses a config `User` value. Empty or absent means root (`{ user: 0 }`). Decimal ids must be
 * within 0..2^32−2 (CVE-2024-40635: `4294967296` wrapped to root). Names must not look numeric
 * (`-1`, `+5`, `0x10`), contain `/`, NUL or a second `:`. Throws `INVALID_USER`.
 */
export function parseUser(value: string | undefined): UserSpec {
  if (value === undefined || value === '') return { user: 0 };
  const colon = value.indexOf(':');
  if (colon < 0) return { user: idOrName(value, 'user', value) };
  return {
    user: idOrName(value.slice(0, colon), 'user', value),
    group: idOrName(value.slice(colon + 1), 'group', value),
  };
}

function idOrName(part: string, side: 'user' | 'group', whole: string): number | string {
  const invalid = (problem: string): never => {
    throw new LayerkitError(
      'INVALID_USER',
      `invalid config User ${JSON.stringify(whole)}: ${side} ${problem}`,
      {
        user: whole,
      },
    );
  };
  if (/^[0-9]+$/.test(part)) {
    const id = Number(part);
    if (id > MAX_ID) invalid(`id ${part} is above ${MAX_ID}`);
    return id;
  }
  if (part === '') invalid('is empty');
  if (/^[+-]?[0-9]/.test(part)) invalid(`${JSON.stringify(part)} is neither a decimal id nor a name`);
  if (/[:/\0]/.test(part)) invalid(`name ${JSON.stringify(part)} contains ':', '/' or NUL`);
  return part;
}
