/**
 * Parsing one command's arguments strictly, with Docker's (Go pflag's) boolean spellings: a
 * boolean flag may be given bare (`-H`, `--human`: true) or with a value (`-H=false`,
 * `--human=0`); the last occurrence wins.
 */
import { parseArgs } from 'node:util';
import type { Command, FlagSpec, FlagValues } from './command.js';
import { UsageError } from './usage-error.js';

/** A command's positionals and flag values. */
export interface ParsedArgs {
  positionals: string[];
  flags: FlagValues;
}

/** Parses `--flag=true|false` style booleans (Go's pflag accepts 1/0/t/f/true/false, any case). */
export function boolValue(text: string, name: string): boolean {
  const value = text.toLowerCase();
  if (['1', 't', 'true'].includes(value)) return true;
  if (['0', 'f', 'false'].includes(value)) return false;
  throw new UsageError(`invalid boolean value "${text}" for --${name}`);
}

/** The long name of the option `-short` or `--long` names, if the spec has it. */
function optionNamed(spec: FlagSpec, token: string): string | undefined {
  if (token.startsWith('--')) return Object.hasOwn(spec, token.slice(2)) ? token.slice(2) : undefined;
  return Object.keys(spec).find((name) => spec[name]?.short === token.slice(1));
}

/**
 * Rewrites every `--bool=VALUE` / `-b=VALUE` token to the bare flag (true) or drops it (false),
 * and returns the final value of each boolean flag given that way, to apply after parseArgs.
 */
function takeBooleanValues(spec: FlagSpec, args: readonly string[]) {
  const rest: string[] = [];
  const values = new Map<string, boolean>();
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!;
    if (token === '--') {
      rest.push(...args.slice(i));
      break;
    }
    const match = /^(--?[^=-][^=]*)=(.*)$/s.exec(token);
    const name = optionNamed(spec, match?.[1] ?? token);
    const type = name === undefined ? undefined : spec[name]?.type;
    if (match && type === 'boolean') {
      values.set(name!, boolValue(match[2]!, name!));
      continue;
    }
    rest.push(token);
    if (type === 'boolean') values.set(name!, true);
    else if (/^-[^-=]{2,}$/.test(token)) {
      // A group of short booleans (`-qH`) sets each, up to a string flag that takes the rest.
      for (const short of token.slice(1)) {
        const grouped = optionNamed(spec, `-${short}`);
        if (grouped === undefined || spec[grouped]?.type !== 'boolean') break;
        values.set(grouped, true);
      }
    }
    // A string flag's separate value is never a flag of its own (`-m --human=x` is a message).
    else if (type === 'string' && !match && i + 1 < args.length) rest.push(args[++i]!);
  }
  return { rest, values };
}

/** Parses `args` for `command`: unknown flags, missing values and wrong counts are usage errors. */
export function parseCommandArgs(command: Command, args: readonly string[]): ParsedArgs {
  const { rest, values: booleans } = takeBooleanValues(command.flags, args);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: command.flags, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const flags = parsed.values as FlagValues;
  for (const [name, value] of booleans) flags[name] = value;
  const { positionals } = parsed;
  const { min, max } = command.positionals;
  if (positionals.length < min || positionals.length > max) {
    const want =
      min === max ? `${min}` : max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min} to ${max}`;
    throw new UsageError(`expected ${want} argument${max === 1 ? '' : 's'}, got ${positionals.length}`);
  }
  return { positionals, flags };
}
