import { formatGoG } from './go-format-g.js';

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'] as const;

/**
 * docker/go-units `HumanSizeWithPrecision(size, precision)`: divide by 1000 while ≥ 1000 (at most
 * up to YB), then Go's `%.*g` and the unit with no space: 0 → `0B`, 1234567 → `1.23MB`, and the
 * quirk 999500–999999 → `1e+03kB`. `docker history` uses precision 3.
 */
export function humanSizeWithPrecision(size: number, precision = 3): string {
  let value = size;
  let unit = 0;
  // Repeated division, as in Go, rounds differently from one division by 1000^n.
  while (value >= 1000 && unit < DECIMAL_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${formatGoG(value, precision)}${DECIMAL_UNITS[unit]}`;
}
