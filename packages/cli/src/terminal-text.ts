/**
 * Text from images (file names, tags, messages) is untrusted: printed raw to a terminal, an
 * escape sequence in it could rewrite the screen or the window title (R17,
 * docs/threat-model.md#r17). Controls are shown escaped instead, in the `\uXXXX` form, which
 * also stays valid inside a JSON string.
 */

/** C0 controls but tab and newline, DEL, C1 controls, and unpaired UTF-16 surrogates. */
const UNPRINTABLE =
  /[\x00-\x08\x0b-\x1f\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` with every control character but tab and newline written as `\uXXXX`. */
export function escapeControls(text: string): string {
  return text.replace(UNPRINTABLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
