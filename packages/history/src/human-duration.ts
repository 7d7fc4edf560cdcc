/** Go's `time.Duration` saturates at 2^63-1 ns; durations beyond it print as that maximum. */
const MAX_GO_DURATION_MS = 9_223_372_036_854.775;

/**
 * docker/go-units `HumanDuration`: a rough, human-readable duration ("Less than a second",
 * "About a minute", "3 hours", "2 weeks", "11 years"), with every branch and integer division of the
 * Go original. `milliseconds` may be negative (a future timestamp), which reads "Less than a second".
 */
export function humanDuration(milliseconds: number): string {
  const ms = Math.min(milliseconds, MAX_GO_DURATION_MS);
  const seconds = Math.trunc(ms / 1000);
  if (!(seconds >= 1)) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}
