import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { displayWidth } from '../../../packages/history/src/display-width.js';
import { codePointWidth, isWideCodePoint } from '../../../packages/history/src/east-asian-width.js';
import { ellipsis } from '../../../packages/history/src/ellipsis.js';
import { sanitizeDisplayText } from '../../../packages/history/src/sanitize-display-text.js';
import { checkProperty } from '../../fixtures/property.js';

const CJK = '修改了默认网页';

describe('width tables', () => {
  it.each([
    [0x41, false, 1],
    [0x4fee, true, 2], // 修
    [0xac00, true, 2], // 가 (Hangul)
    [0xff21, true, 2], // Ａ fullwidth
    [0xff61, false, 1], // ｡ halfwidth
    [0x1f600, true, 2], // 😀
    [0x4dc0, true, 2], // ䷀ hexagram: wide since Unicode 16
    [0x20000, true, 2], // CJK extension B
    [0x0301, false, 0], // combining acute accent
    [0x200b, false, 0], // zero width space
    [0x200d, false, 0], // zero width joiner
    [0xfe0f, false, 0], // variation selector 16
    [0x3099, true, 0], // combining kana voiced mark: wide for x/text, zero for runewidth
    [0x07, false, 0],
    [0x9b, false, 0],
    [0xe9, false, 1],
  ])('U+%s: wide=%s, terminal width %d', (codePoint, wide, width) => {
    expect(isWideCodePoint(codePoint)).toBe(wide);
    expect(codePointWidth(codePoint)).toBe(width);
  });
});

describe('displayWidth (go-runewidth StringWidth)', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['a\tb', 2],
    [CJK, 14],
    ['e\u0301', 1],
    ['😀', 2],
    ['👨\u200d👩\u200d👧', 2],
    ['❤\ufe0f', 1],
    ['🇨🇳', 1], // regional indicators are East Asian Neutral: go-runewidth counts the pair as 1
    ['ｶﾀｶﾅ', 4],
  ])('%j is %d columns', (text, width) => {
    expect(displayWidth(text)).toBe(width);
  });
});

describe('ellipsis (docker formatter.Ellipsis)', () => {
  it('keeps strings that fit and cuts ASCII to 44 + …', () => {
    const fits = 'x'.repeat(45);
    expect(ellipsis(fits, 45)).toBe(fits);
    expect(ellipsis(`${fits}y`, 45)).toBe(`${'x'.repeat(44)}…`);
    expect(ellipsis('/bin/sh -c #(nop) ADD file:ba2637314e600db5a4f9bf1a2b3c in / ', 45)).toBe(
      '/bin/sh -c #(nop) ADD file:ba2637314e600db5a…',
    );
  });

  it('counts East Asian wide characters as two columns', () => {
    expect(ellipsis(CJK, 45)).toBe(CJK);
    expect(ellipsis(CJK, 14)).toBe(CJK);
    expect(ellipsis(CJK, 13)).toBe('修改了默认网…');
    expect(ellipsis(CJK, 12)).toBe('修改了默认…');
    // a wide character that would straddle column 44 is dropped whole: 43 columns + …
    const straddle = `${'a'.repeat(43)}修改`;
    expect(ellipsis(straddle, 45)).toBe(`${'a'.repeat(43)}…`);
    expect(ellipsis(`${'a'.repeat(42)}修改`, 45)).toBe(`${'a'.repeat(42)}修…`);
  });

  it('follows docker for small limits', () => {
    expect(ellipsis('abc', 0)).toBe('');
    expect(ellipsis('abc', -1)).toBe('');
    expect(ellipsis('修abc', 1)).toBe('修');
    expect(ellipsis('', 1)).toBe('');
    expect(ellipsis('abc', 2)).toBe('a…');
  });

  it('never produces more than 45 terminal columns and only cuts at the end', async () => {
    await checkProperty(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (raw) => {
        const text = sanitizeDisplayText(raw);
        const cut = ellipsis(text, 45);
        expect(displayWidth(cut)).toBeLessThanOrEqual(45);
        if (cut !== text) {
          expect(cut.endsWith('…')).toBe(true);
          expect(text.startsWith(cut.slice(0, -1))).toBe(true);
        }
      }),
    );
  });
});

describe('sanitizeDisplayText (R17)', () => {
  it.each([
    ['plain 修改了默认网页 😀', 'plain 修改了默认网页 😀'],
    ['\x1b[31mred\x1b[0m', 'red'],
    ['\x1b[1;38;5;196mbold\x1b[m', 'bold'],
    ['\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\', 'click'],
    ['\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07', 'click'],
    ['\x1b]0;pwned title\x07after', 'after'],
    ['\x1bP+q544e\x1b\\x', 'x'],
    ['\x9b31mc1\x9b0m', 'c1'],
    ['\x9d8;;u\x9cC1 link', 'C1 link'],
    ['safe\rEVIL', 'safeEVIL'],
    ['a\tb\nc', 'a b c'],
    ['bell\x07 back\x08space del\x7f', 'bell backspace del'],
    ['\x1b(0line\x1b(B', 'line'],
    ['\x1b7saved\x1b8', 'saved'],
    ['unterminated \x1b]8;;http://x', 'unterminated '],
    ['stray esc \x1b', 'stray esc '],
    ['lone \ud800 surrogate', 'lone \ufffd surrogate'],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeDisplayText(input)).toBe(expected);
  });

  it('leaves no control characters and is idempotent', async () => {
    await checkProperty(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        const clean = sanitizeDisplayText(text);
        expect(clean).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
        expect(sanitizeDisplayText(clean)).toBe(clean);
      }),
    );
  });
});
