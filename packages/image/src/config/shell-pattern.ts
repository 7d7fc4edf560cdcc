/**
 * The shell patterns of `${VAR#…}`, `${VAR%…}` and `${VAR/…/…}` as buildkit's Dockerfile lexer
 * matches them (shell/lex.go): `*` is any run of characters, `?` one character, `\` escapes `*`,
 * `?` and `\` (before `}` or `/` it only protects that character), and there are no bracket
 * expressions. Patterns become regular expressions with Go's semantics: leftmost-first, and a
 * wildcard never matches a newline.
 */
import type { Fail } from './config-values.js';

const REGEXP_SYNTAX = new Set(['[', ']', '{', '}', '.', '+', '(', ')', '|', '^', '$']);
const ANY = '[^\\n]';

/** The regular expression of a shell pattern; `greedy` makes `*` match the longest run. */
function patternRegExp(pattern: string, greedy: boolean, anchored: boolean, fail: Fail): RegExp {
  const chars = Array.from(pattern);
  let source = anchored ? '^' : '';
  for (let i = 0; i < chars.length; i++) {
    let c = chars[i]!;
    if (c === '*') {
      source += greedy ? `${ANY}*` : `${ANY}*?`;
      continue;
    }
    if (c === '?') {
      source += ANY;
      continue;
    }
    if (c === '\\') {
      if (chars[i + 1] === '}' || chars[i + 1] === '/') continue;
      c = chars[++i] ?? '';
      if (c !== '*' && c !== '?' && c !== '\\') {
        fail(`invalid pattern (${pattern}) in substitution: invalid escape '\\${c}'`);
      }
      source += '\\';
    } else if (REGEXP_SYNTAX.has(c)) {
      source += '\\';
    }
    source += c;
  }
  return new RegExp(source, 'u');
}

/** `${VAR#pattern}` (shortest) and `${VAR##pattern}` (`greedy`, longest): `value` without a matching prefix. */
export function trimPrefix(pattern: string, value: string, greedy: boolean, fail: Fail): string {
  const match = patternRegExp(pattern, greedy, true, fail).exec(value);
  return match === null ? value : value.slice(match[0].length);
}

/**
 * `${VAR%pattern}` and `${VAR%%pattern}`: `value` without a matching suffix. As buildkit does,
 * the pattern and value are reversed so that a prefix match finds the shortest suffix.
 */
export function trimSuffix(pattern: string, value: string, greedy: boolean, fail: Fail): string {
  const reversed = trimPrefix(reversePattern(pattern), reverse(value), greedy, fail);
  return reverse(reversed);
}

/**
 * `${VAR/pattern/replacement}` (the first match) and `${VAR//pattern/replacement}` (`all`). Only
 * the second goes through Go's `ReplaceAllString`, whose replacement is a template: `$$` is `$`,
 * `$0` the match, any other `$name` nothing.
 */
export function replacePattern(
  value: string,
  pattern: string,
  replacement: string,
  all: boolean,
  fail: Fail,
): string {
  const regexp = patternRegExp(pattern, true, false, fail);
  if (!all) {
    const match = regexp.exec(value);
    if (match === null) return value;
    return value.slice(0, match.index) + replacement + value.slice(match.index + match[0].length);
  }
  const global = new RegExp(regexp.source, 'gu');
  let out = '';
  let lastEnd = 0;
  let searchFrom = 0;
  while (searchFrom <= value.length) {
    global.lastIndex = searchFrom;
    const match = global.exec(value);
    if (match === null) break;
    const start = match.index;
    const end = start + match[0].length;
    out += value.slice(lastEnd, start);
    // Go skips an empty match right after the previous match (else `x*` would replace twice).
    if (end > lastEnd || start === 0) out += expandTemplate(replacement, match[0]);
    lastEnd = end;
    const width = searchFrom < value.length ? String.fromCodePoint(value.codePointAt(searchFrom)!).length : 0;
    searchFrom = searchFrom + width > end ? searchFrom + width : Math.max(end, searchFrom + 1);
  }
  return out + value.slice(lastEnd);
}

/** Go's `Regexp.Expand` for a pattern without groups: `$$`, `$0`/`${0}`, other references empty. */
function expandTemplate(template: string, match: string): string {
  let out = '';
  let rest = template;
  for (let dollar = rest.indexOf('$'); dollar >= 0; dollar = rest.indexOf('$')) {
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const reference = /^(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u.exec(rest);
    if (reference === null) {
      out += '$';
      continue;
    }
    rest = rest.slice(reference[0].length);
    if ((reference[1] ?? reference[2]) === '0') out += match;
  }
  return out + rest;
}

/** Reverses a pattern but keeps each `\x` escape in order (buildkit `reversePattern`). */
function reversePattern(pattern: string): string {
  const chars = Array.from(pattern);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === '\\' && i !== chars.length - 1) {
      out.unshift('\\', chars[++i]!);
    } else {
      out.unshift(chars[i]!);
    }
  }
  return out.join('');
}

function reverse(text: string): string {
  return Array.from(text).reverse().join('');
}
