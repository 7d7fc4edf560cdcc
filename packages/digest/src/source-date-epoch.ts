/**
 * The range of SOURCE_DATE_EPOCH, checked in one place: history parses the environment's text
 * with it, and every library operation that takes a `sourceDateEpoch` checks it before any work.
 */
import { LayerkitError } from './errors.js';

// 9999-12-31T23:59:59Z: the last second RFC 3339 can write with a four-digit year.
const MAX_SOURCE_DATE_EPOCH = 253_402_300_799;

/**
 * Returns `seconds` when it is a SOURCE_DATE_EPOCH layerkit can record: a whole number of seconds
 * from 0 to 253402300799 (9999-12-31T23:59:59Z). Otherwise throws `LayerkitError`
 * `INVALID_SOURCE_DATE_EPOCH` naming `value`, the value as given (the text it was parsed from,
 * if any).
 */
export function checkSourceDateEpoch(seconds: number, value: string | number = seconds): number {
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > MAX_SOURCE_DATE_EPOCH) {
    throw new LayerkitError(
      'INVALID_SOURCE_DATE_EPOCH',
      `SOURCE_DATE_EPOCH must be a whole number of seconds between 0 and ${MAX_SOURCE_DATE_EPOCH}, got ${JSON.stringify(String(value))}`,
      { value },
    );
  }
  return seconds;
}
