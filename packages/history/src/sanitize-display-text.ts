/**
 * Terminal escape sequences, 7-bit (ESC …) and 8-bit (C1) forms, in the order they must be tried:
 * string sequences (OSC, DCS, SOS, PM, APC) up to BEL or ST or the end of the text (an OSC 8
 * hyperlink leaves only its visible text), CSI with parameters (`ESC[31m`), then any other
 * ESC sequence (ECMA-48 nF/Fp/Fe/Fs).
 */
const ESCAPE_SEQUENCE =
  /(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[\s\S]*?(?:\x07|\x1b\\|\x9c|$)|(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]|\x1b[\x20-\x2f]*[\x30-\x7e]/g;
/** Whitespace controls that separate words: shown as one space, like docker's tab handling. */
const SEPARATOR_CONTROL = /[\t\n]/g;
/** Every other C0 control, DEL and C1 control (CR, BS, BEL, a stray ESC …): removed. */
const OTHER_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
/** Unpaired UTF-16 surrogates, which Go would have decoded as U+FFFD. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Makes an untrusted string (created_by, comment, author, labels) safe to print in a terminal table
 * (R17, docs/threat-model.md#r17): removes ANSI/ECMA-48 escape sequences and C0/C1 control
 * characters, turns tabs and newlines into spaces (docker/cli turns tabs in CREATED BY into
 * spaces), and replaces lone surrogates with U+FFFD. Printable text, including CJK and emoji, is
 * unchanged.
 */
export function sanitizeDisplayText(text: string): string {
  return text
    .replace(ESCAPE_SEQUENCE, '')
    .replace(SEPARATOR_CONTROL, ' ')
    .replace(OTHER_CONTROL, '')
    .replace(LONE_SURROGATE, '\ufffd');
}
