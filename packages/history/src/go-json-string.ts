/** Characters Go's `json.Marshal` escapes that `JSON.stringify` leaves alone. */
const GO_EXTRA_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** A JSON string literal spelled as Go's `encoding/json` writes it (HTML-safe escaping). */
export function goJsonString(text: string): string {
  return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (char) => GO_EXTRA_ESCAPES[char]!);
}
