import { checkSourceDateEpoch } from '@layerkit/digest/internal';

/**
 * Validates a SOURCE_DATE_EPOCH value (reproducible-builds.org: decimal seconds since the Unix epoch,
 * no sign, no fraction, like `date +%s`) and returns it as a number. Throws `LayerkitError`
 * `INVALID_SOURCE_DATE_EPOCH` naming the value for anything else, including values past year 9999.
 */
export function parseSourceDateEpoch(value: string | number): number {
  const seconds = typeof value === 'number' ? value : /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  return checkSourceDateEpoch(seconds, value);
}

/**
 * Reads SOURCE_DATE_EPOCH from an environment map (e.g. `process.env`). Unset or empty means "not
 * set" (`undefined`); any other value must be valid (see {@link parseSourceDateEpoch}).
 */
export function sourceDateEpochFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): number | undefined {
  const value = env.SOURCE_DATE_EPOCH;
  return value === undefined || value === '' ? undefined : parseSourceDateEpoch(value);
}
