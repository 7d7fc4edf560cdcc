import { LayerkitError } from '@layerkit/digest';

/** Go's RFC 3339 grammar (`time.RFC3339Nano` parsing): upper-case `T` and `Z`, optional fraction. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** The largest instant with a four-digit year, the range RFC 3339 can write. */
const MAX_RFC3339_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** The smallest such instant (0000-01-01T00:00:00Z). */
const MIN_RFC3339_MS = utcMillis(0, 1, 1, 0, 0, 0);

/** Milliseconds since the epoch for a UTC wall time; unlike `Date.UTC`, years 0–99 stay literal. */
function utcMillis(year: number, month: number, day: number, hour: number, minute: number, second: number) {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcMillis(year, month + 1, 0, 0, 0, 0)).getUTCDate();
}

/**
 * Parses an RFC 3339 timestamp the way Go's `time.Time` JSON decoder does and returns whole Unix
 * seconds (`t.Unix()`: the fraction is dropped). Returns `undefined` for anything that is not a valid
 * RFC 3339 instant, so untrusted configs never make rendering throw.
 */
export function parseRfc3339Seconds(text: string): number | undefined {
  const match = RFC3339.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetSeconds = 0;
  if (match[7] !== undefined) {
    const offsetHours = Number(match[8]);
    const offsetMinutes = Number(match[9]);
    if (offsetHours > 23 || offsetMinutes > 59) return undefined;
    offsetSeconds = (match[7] === '-' ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
  }
  return utcMillis(year, month, day, hour, minute, second) / 1000 - offsetSeconds;
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/**
 * Formats an instant as UTC RFC 3339 the way Go marshals a `time.Time` (RFC3339Nano): the fraction
 * of a second appears only when non-zero, without trailing zeros (`…:20Z`, `…:20.5Z`, `…:20.123Z`).
 * Throws `LayerkitError` `INVALID_TIME` when the instant has no four-digit-year RFC 3339 form.
 */
export function formatRfc3339Utc(epochMillis: number): string {
  if (!Number.isFinite(epochMillis) || epochMillis < MIN_RFC3339_MS || epochMillis > MAX_RFC3339_MS) {
    throw new LayerkitError('INVALID_TIME', `time ${epochMillis} ms is outside the RFC 3339 range`, {
      epochMillis,
    });
  }
  const date = new Date(Math.floor(epochMillis));
  const fraction = date.getUTCMilliseconds() === 0 ? '' : `.${pad(date.getUTCMilliseconds(), 3)}`;
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}` +
    `T${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}` +
    `${fraction.replace(/0+$/, '')}Z`
  );
}

/** Formats whole Unix seconds as RFC 3339 in one time zone. */
export type Rfc3339Formatter = (unixSeconds: number) => string;

/**
 * Returns a formatter equivalent to Go's `time.Unix(s, 0).In(zone).Format(time.RFC3339)`:
 * `Z` for a zero offset, otherwise `±hh:mm`. `timeZone` is an IANA name (default `UTC`); an
 * unknown zone throws `LayerkitError` `INVALID_TIME_ZONE`.
 */
export function createRfc3339Formatter(timeZone = 'UTC'): Rfc3339Formatter {
  let wallClock: Intl.DateTimeFormat;
  try {
    wallClock = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch (cause) {
    throw new LayerkitError('INVALID_TIME_ZONE', `unknown time zone ${JSON.stringify(timeZone)}`, {
      timeZone,
      cause,
    });
  }
  return (unixSeconds) => {
    const fields: Record<string, number> = {};
    for (const part of wallClock.formatToParts(unixSeconds * 1000)) fields[part.type] = Number(part.value);
    const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = fields;
    const offsetMinutes = Math.trunc(
      (utcMillis(year, month, day, hour, minute, second) / 1000 - unixSeconds) / 60,
    );
    const absolute = Math.abs(offsetMinutes);
    const zone =
      offsetMinutes === 0
        ? 'Z'
        : `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.trunc(absolute / 60), 2)}:${pad(absolute % 60, 2)}`;
    return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${zone}`;
  };
}
