/**
 * `Healthcheck` values: from a HEALTHCHECK instruction (buildkit `parseHealthConfig` and
 * instructions `parseHealthcheck`) and from a typed patch, checked by the same rules. Durations
 * are whole nanoseconds: 0 means Docker's default; anything else must be at least 1ms (as the
 * Dockerfile parser and the daemon require) and, to stay exact in JSON, at most 2^53−1 ns
 * (about 104 days).
 */
import type { HealthcheckConfig } from '../oci-types.js';
import type { Fail } from './config-values.js';
import { parseGoDuration } from './go-duration.js';
import { isGoSpace } from './go-space.js';
import { type CommandLine, parseCommandLine, parseFlags } from './instruction-line.js';

/** The duration fields and the HEALTHCHECK flags that set them. */
const DURATIONS = [
  ['Interval', 'interval'],
  ['Timeout', 'timeout'],
  ['StartPeriod', 'start-period'],
  ['StartInterval', 'start-interval'],
] as const;
type DurationField = (typeof DURATIONS)[number][0];

const MILLISECOND = 1_000_000;
const MAX_RETRIES = 2 ** 31 - 1;

/**
 * Parses HEALTHCHECK's arguments after the keyword: `NONE`, or
 * `[--interval=D] [--timeout=D] [--start-period=D] [--start-interval=D] [--retries=N] CMD …` with
 * the command in exec form (`["CMD", …]`) or shell form (`["CMD-SHELL", "…"]`, run at check time
 * with the config's Shell). Nothing is expanded. As in buildkit, flags before `NONE` are ignored.
 * `--start-interval` is Docker 25's; Docker 20.10 knows the other four.
 */
export function parseHealthcheckArgs(rest: string, flags: readonly string[], fail: Fail): HealthcheckConfig {
  const chars = Array.from(rest);
  let end = 0;
  while (end < chars.length && !isGoSpace(chars[end]!)) end++;
  const type = chars.slice(0, end).join('').toUpperCase();
  let start = end;
  while (start < chars.length && isGoSpace(chars[start]!)) start++;
  const command = chars.slice(start).join('');
  const line: CommandLine = command === '' ? { exec: [] } : parseCommandLine(command, fail);
  const args = 'exec' in line ? line.exec : [line.shell];
  if (type === 'NONE') {
    if (args.length > 0) fail('HEALTHCHECK NONE takes no arguments');
    return { Test: ['NONE'] };
  }
  const values = parseFlags(flags, [...DURATIONS.map(([, flag]) => flag), 'retries'], fail);
  if (type !== 'CMD') fail(`unknown type ${JSON.stringify(type)} in HEALTHCHECK (try CMD)`);
  if (args.length === 0) fail('missing command after HEALTHCHECK CMD');
  const healthcheck: HealthcheckConfig = { Test: ['exec' in line ? 'CMD' : 'CMD-SHELL', ...args] };
  for (const [field, flag] of DURATIONS) {
    const text = values.get(flag) ?? '';
    if (text !== '')
      setDuration(healthcheck, field, durationNanoseconds(parseGoDuration(text, fail), `--${flag}`, fail));
  }
  const retries = values.get('retries') ?? '';
  if (retries !== '') setRetries(healthcheck, goInt32(retries, fail), fail);
  return healthcheck;
}

/**
 * A typed healthcheck: `Test` (`["NONE"]`, `["CMD", arg…]` or `["CMD-SHELL", command…]`), durations
 * as nanoseconds or Go duration strings (`'30s'`, `'1m30s'`), `Retries` ≥ 0. Zero values are
 * left out, as Docker writes them.
 */
export function healthcheckFromPatch(value: unknown, fail: Fail): HealthcheckConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('must be an object with a Test');
  const fields = value as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (key !== 'Test' && key !== 'Retries' && !DURATIONS.some(([field]) => field === key)) {
      fail(`unknown field ${JSON.stringify(key)}`);
    }
  }
  const test = fields.Test;
  if (!Array.isArray(test) || !test.every((item) => typeof item === 'string'))
    fail('Test must be a list of strings');
  const [kind, ...args] = test as string[];
  const valid =
    kind === 'NONE' ? args.length === 0 : (kind === 'CMD' || kind === 'CMD-SHELL') && args.length > 0;
  if (!valid) {
    fail(
      `Test ${JSON.stringify(test)} must be ["NONE"], ["CMD", arg…] or ["CMD-SHELL", command] (null removes it)`,
    );
  }
  const healthcheck: HealthcheckConfig = { Test: [...(test as string[])] };
  for (const [field] of DURATIONS) {
    const given = fields[field];
    if (given === undefined) continue;
    let nanoseconds: bigint;
    if (typeof given === 'string') nanoseconds = parseGoDuration(given, fail);
    else if (typeof given === 'number' && Number.isSafeInteger(given)) nanoseconds = BigInt(given);
    else return fail(`${field} must be whole nanoseconds or a Go duration such as "30s"`);
    setDuration(healthcheck, field, durationNanoseconds(nanoseconds, field, fail));
  }
  const retries = fields.Retries;
  if (retries !== undefined) {
    if (typeof retries !== 'number' || !Number.isInteger(retries)) fail('Retries must be an integer');
    setRetries(healthcheck, retries as number, fail);
  }
  return healthcheck;
}

/** A checked duration: 0 (the default), or 1ms up to the largest exact JSON integer. */
function durationNanoseconds(nanoseconds: bigint, name: string, fail: Fail): number {
  if (nanoseconds === 0n) return 0;
  if (nanoseconds < BigInt(MILLISECOND)) fail(`${name} cannot be less than 1ms`);
  if (nanoseconds > BigInt(Number.MAX_SAFE_INTEGER))
    fail(`${name} cannot be more than 2^53-1 ns (about 104 days)`);
  return Number(nanoseconds);
}

function setDuration(healthcheck: HealthcheckConfig, field: DurationField, nanoseconds: number): void {
  if (nanoseconds > 0) healthcheck[field] = nanoseconds;
}

function setRetries(healthcheck: HealthcheckConfig, retries: number, fail: Fail): void {
  if (retries < 0) fail(`retries cannot be negative (${retries})`);
  if (retries > MAX_RETRIES) fail(`retries cannot be more than ${MAX_RETRIES}`);
  if (retries > 0) healthcheck.Retries = retries;
}

/** Go `strconv.ParseInt(text, 10, 32)`: optional sign, decimal digits, within int32. */
function goInt32(text: string, fail: Fail): number {
  if (!/^[+-]?[0-9]+$/.test(text)) fail(`invalid --retries ${JSON.stringify(text)}: not an integer`);
  const value = Number(text);
  if (value < -(2 ** 31) || value > MAX_RETRIES)
    fail(`invalid --retries ${JSON.stringify(text)}: value out of range`);
  return value;
}
