/**
 * Go's `time.ParseDuration`, which Docker uses for HEALTHCHECK's `--interval` and friends: a
 * possibly signed sequence of decimal numbers, each with an optional fraction and a unit (`ns`,
 * `us`/`µs`/`μs`, `ms`, `s`, `m`, `h`), e.g. `300ms`, `-1.5h`, `2h45m`; a bare `0` is allowed.
 * Arithmetic follows Go's exactly: integers in 64 bits with its overflow checks, fractions
 * through float64 and truncated.
 */
import type { Fail } from './config-values.js';

const UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n], // U+00B5 micro sign
  ['μs', 1_000n], // U+03BC Greek mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);
const LIMIT = 1n << 63n;

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** Parses `text` like Go's `time.ParseDuration`; returns nanoseconds (within int64). */
export function parseGoDuration(text: string, fail: Fail): bigint {
  const invalid = () => fail(`time: invalid duration ${JSON.stringify(text)}`);
  let s = text;
  let negative = false;
  if (s[0] === '-' || s[0] === '+') {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') invalid();
  let total = 0n;
  while (s !== '') {
    if (s[0] !== '.' && !isDigit(s[0])) invalid();
    let i = 0;
    let whole = 0n;
    for (; isDigit(s[i]); i++) {
      if (whole > LIMIT / 10n) invalid();
      whole = whole * 10n + BigInt(s[i]!);
      if (whole > LIMIT) invalid();
    }
    const hasWhole = i > 0;
    s = s.slice(i);
    // Go keeps fraction digits only while they fit, then ignores the rest.
    let fraction = 0n;
    let scale = 1;
    let hasFraction = false;
    if (s[0] === '.') {
      let j = 1;
      let overflow = false;
      for (; isDigit(s[j]); j++) {
        const next = fraction * 10n + BigInt(s[j]!);
        if (overflow || fraction > (LIMIT - 1n) / 10n || next > LIMIT) {
          overflow = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
      hasFraction = j > 1;
      s = s.slice(j);
    }
    if (!hasWhole && !hasFraction) invalid();
    let k = 0;
    while (k < s.length && s[k] !== '.' && !isDigit(s[k])) k++;
    if (k === 0) fail(`time: missing unit in duration ${JSON.stringify(text)}`);
    const name = s.slice(0, k);
    s = s.slice(k);
    const unit =
      UNITS.get(name) ??
      fail(`time: unknown unit ${JSON.stringify(name)} in duration ${JSON.stringify(text)}`);
    if (whole > LIMIT / unit) invalid();
    let value = whole * unit;
    if (fraction > 0n) {
      // float64, as Go computes it: nanosecond-exact for fractions of the largest unit.
      value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
      if (value > LIMIT) invalid();
    }
    total += value;
    if (total > LIMIT) invalid();
  }
  if (negative) return -total;
  if (total > LIMIT - 1n) invalid();
  return total;
}
