import { codePointWidth } from './east-asian-width.js';

let graphemeSegmenter: Intl.Segmenter | undefined;

/**
 * The number of terminal columns `text` occupies, as go-runewidth's `StringWidth` computes it for
 * docker's tabwriter: printable ASCII counts 1 and controls 0; otherwise each grapheme cluster
 * counts the width of its first non-zero-width code point (so combining marks and emoji ZWJ
 * sequences add nothing, CJK and emoji count 2).
 */
export function displayWidth(text: string): number {
  let width = 0;
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0x80) {
      ascii = false;
      break;
    }
    if (unit >= 0x20 && unit !== 0x7f) width++;
  }
  if (ascii) return width;
  graphemeSegmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  width = 0;
  for (const { segment } of graphemeSegmenter.segment(text)) {
    for (const char of segment) {
      const charWidth = codePointWidth(char.codePointAt(0)!);
      if (charWidth > 0) {
        width += charWidth;
        break;
      }
    }
  }
  return width;
}
