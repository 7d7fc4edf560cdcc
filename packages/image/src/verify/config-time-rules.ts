/**
 * The config's timestamps as Go reads them: `created` and every `history[].created` are decoded
 * into a `time.Time`, which takes RFC 3339 only — umoci refuses such a config (seen here), and
 * Docker's loader decodes the same way (docs/client-rejections.md).
 */
import type { Digest } from '@layerkit/digest';
import type { ImageConfig } from '../oci-types.js';
import { finding, type VerifyProblem } from './finding.js';

const REJECTED_BY = ['umoci', 'docker load'];

// Go's strict RFC 3339 (time.Time.UnmarshalJSON): fractional seconds allowed, a `Z` or ±hh:mm zone.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** True when `text` is an RFC 3339 timestamp Go's `time.Time` decodes (fields in range). */
export function isRfc3339(text: string): boolean {
  const match = RFC3339.exec(text);
  if (match === null) return false;
  const [year, month, day, hour, minute, second, zoneHour = '0', zoneMinute = '0'] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part))) as number[];
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  return (
    month! >= 1 &&
    month! <= 12 &&
    day! >= 1 &&
    day! <= daysInMonth &&
    hour! < 24 &&
    minute! < 60 &&
    second! < 60 &&
    Number(zoneHour) < 24 &&
    Number(zoneMinute) < 60
  );
}

/** `CONFIG_TIME_INVALID` (error) for each timestamp of `config` (the config `digest`) that is not RFC 3339. */
export function checkConfigTimes(config: ImageConfig, digest: Digest): VerifyProblem[] {
  const times: Array<[string, string | undefined]> = [
    ['created', config.created],
    ...(config.history ?? []).map((entry, i): [string, string | undefined] => [
      `history[${i}].created`,
      entry.created,
    ]),
  ];
  return times
    .filter((time): time is [string, string] => time[1] !== undefined && !isRfc3339(time[1]))
    .map(([field, value]) =>
      finding(
        'CONFIG_TIME_INVALID',
        'error',
        `config ${digest}: ${field} ${JSON.stringify(value)} is not an RFC 3339 time`,
        REJECTED_BY,
      ),
    );
}
