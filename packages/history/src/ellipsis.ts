import { isWideCodePoint } from './east-asian-width.js';

/**
 * docker/cli `formatter.Ellipsis(s, maxDisplayWidth)`: if `text` is wider than the limit, keep the
 * longest prefix of at most `maxDisplayWidth - 1` columns and append `…` (U+2026). Widths are
 * Docker's: East Asian Wide/Fullwidth code points count 2, every other code point 1. A limit of 1
 * keeps the first code point; 0 or less gives ''. `docker history` uses 45.
 */
export function ellipsis(text: string, maxDisplayWidth: number): string {
  if (maxDisplayWidth <= 0) return '';
  const codePoints = Array.from(text);
  if (maxDisplayWidth === 1) return codePoints[0] ?? '';
  const ends: number[] = [];
  let width = 0;
  for (const char of codePoints) {
    width += isWideCodePoint(char.codePointAt(0)!) ? 2 : 1;
    ends.push(width);
  }
  if (width <= maxDisplayWidth) return text;
  const limit = maxDisplayWidth - 1;
  for (let i = 0; i + 1 < ends.length; i++) {
    if (ends[i]! <= limit && ends[i + 1]! > limit) return `${codePoints.slice(0, i + 1).join('')}…`;
  }
  return text;
}
