/**
 * Decodes `\ooo` octal escapes, the way /proc/mounts and getfattr print bytes they cannot show
 * raw (a backslash itself is `\134`). Each escape becomes one latin1 character = one byte.
 */
export function decodeOctalEscapes(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}
