import { LayerkitError } from '@layerkit/digest';

/** 9999-12-31T23:59:59Z: the last second RFC 3339 can write with a four-digit year. */
const MAX_SOURCE_DATE_EPOCH = 253_402_300_799;

/**
 * Validates a SOURCE_DATE_EPOCH value (reproducible-builds.org: decimal seconds since the Unix epoch,
 * no sign, no fraction, like `date +%s`) and returns it as a number. Throws `LayerkitError`
 * `INVALID_SOURCE_DATE_EPOCH` for anything else, including values past year 9999.
 */
export function parseSourceDateEpoch(value: string | number): number {
  const seconds = typeof value === 'number' ? value : /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > MAX_SOURCE_DATE_EPOCH) {
    throw new LayerkitError(
      'INVALID_SOURCE_DATE_EPOCH',
      `SOURCE_DATE_EPOCH must be a whole number of seconds between 0 and ${MAX_SOURCE_DATE_EPOCH}, got ${JSON.stringify(String(value))}`,
      { value },
    );
  }
  return seconds;
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
