/**
 * One Dockerfile instruction line cut up as buildkit's parser does (frontend/dockerfile/parser:
 * `splitCommand`, `extractBuilderFlags`, `parseJSON`), and its `--name=value` options read as
 * instructions/bflag.go reads them.
 */
import type { Fail } from './config-values.js';
import { isGoSpace, trimGoSpace } from './go-space.js';

/** A command line: exec form (a JSON array) or shell form (run with the config's Shell). */
export type CommandLine =
  | {
      /** Exec form: the arguments, run as they are. */
      exec: string[];
    }
  | {
      /** Shell form: the text after the keyword, run as the last argument of the Shell. */
      shell: string;
    };

/** An instruction line: the keyword as written, the leading `--flag` words, the rest (trimmed). */
export interface InstructionLine {
  keyword: string;
  flags: string[];
  rest: string;
}

/** buildkit `reWhitespace`: what separates the keyword and the words of EXPOSE and legacy ENV. */
export const SEPARATOR = /[\t\v\f\r ]+/;

/** Splits off the keyword and the builder flags (`HEALTHCHECK --interval=5s CMD …`). */
export function splitInstruction(line: string): InstructionLine {
  const trimmed = trimGoSpace(line);
  const separator = SEPARATOR.exec(trimmed);
  if (separator === null) return { keyword: trimmed, flags: [], rest: '' };
  const { flags, rest } = extractFlags(trimmed.slice(separator.index + separator[0].length));
  return { keyword: trimmed.slice(0, separator.index), flags, rest: trimGoSpace(rest) };
}

/**
 * Reads builder flags: each must be one of `allowed` and given once, with a value (`--name=value`;
 * an empty value means "not given"). Returns the values by name.
 */
export function parseFlags(
  flags: readonly string[],
  allowed: readonly string[],
  fail: Fail,
): Map<string, string> {
  const values = new Map<string, string>();
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const written = eq < 0 ? flag : flag.slice(0, eq);
    const name = written.slice(2);
    if (!allowed.includes(name)) fail(`unknown flag: ${written}`);
    if (values.has(name)) fail(`duplicate flag specified: ${written}`);
    if (eq < 0) fail(`missing a value on flag: ${written}`);
    values.set(name, flag.slice(eq + 1));
  }
  return values;
}

/**
 * The exec form when `text` is a JSON array of strings; undefined when it is not JSON (then it is
 * the shell form). A JSON array with anything but strings is an error, not the shell form.
 */
export function parseJsonArgs(text: string, fail: Fail): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    return fail('when using JSON array syntax, arrays must be comprised of strings only');
  }
  return value;
}

/** buildkit `parseMaybeJSON`: the exec form for a JSON string array, else the shell form. */
export function parseCommandLine(text: string, fail: Fail): CommandLine {
  const exec = parseJsonArgs(text, fail);
  return exec === undefined ? { shell: text } : { exec };
}

/**
 * buildkit `extractBuilderFlags`: the leading words that start with `--` (quotes removed, escapes
 * resolved) up to the first other word, or up to a `--` word, which is dropped.
 */
function extractFlags(line: string): { flags: string[]; rest: string } {
  const flags: string[] = [];
  let word = '';
  let quote = '';
  let inWord = false;
  let quoted = false;
  const finish = () => {
    if (quoted || word !== '') flags.push(word);
    word = '';
    inWord = false;
    quoted = false;
  };
  for (let pos = 0; pos < line.length; pos++) {
    const c = line[pos]!;
    if (!inWord) {
      if (isGoSpace(c)) continue;
      if (!line.startsWith('--', pos)) return { flags, rest: line.slice(pos) };
      inWord = true;
    }
    if (quote !== '') {
      if (c === quote) quote = '';
      else if (c === '\\' && pos + 1 < line.length) word += line[++pos];
      else if (c !== '\\') word += c;
      continue;
    }
    if (isGoSpace(c)) {
      if (word === '--') return { flags, rest: line.slice(pos) };
      finish();
    } else if (c === "'" || c === '"') {
      quote = c;
      quoted = true;
    } else if (c === '\\') {
      if (pos + 1 < line.length) word += line[++pos];
    } else {
      word += c;
    }
  }
  if (inWord && word !== '--') finish();
  return { flags, rest: '' };
}
