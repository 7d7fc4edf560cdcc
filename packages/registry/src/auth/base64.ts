/** Base64 of UTF-8 text, without Buffer (the portable core runs where only `btoa` exists). */
export function base64Utf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
