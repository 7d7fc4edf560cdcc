/**
 * Go's whitespace (`unicode.IsSpace`, `strings.TrimSpace`), which buildkit's Dockerfile parser and
 * lexer split and trim on: JavaScript's `\s` differs (it has U+FEFF, lacks U+0085).
 */

/** Go's `unicode.IsSpace` for one character. */
export function isGoSpace(c: string): boolean {
  // Latin-1 has its own list in Go; beyond it, the Unicode White_Space property.
  return /^[\t\n\v\f\r \u0085\u00a0]$/.test(c) || (c.codePointAt(0)! > 0xff && /^\p{White_Space}$/u.test(c));
}

/** Go `strings.TrimSpace`. */
export function trimGoSpace(text: string): string {
  const chars = Array.from(text);
  let start = 0;
  let end = chars.length;
  while (start < end && isGoSpace(chars[start]!)) start++;
  while (end > start && isGoSpace(chars[end - 1]!)) end--;
  return chars.slice(start, end).join('');
}
