/**
 * A tiny raw tar builder for tests: every header field is set by hand, so broken and hostile
 * archives (bad checksums, negative sizes, escaping names, huge PAX records) are easy to write.
 * Independent of layerkit's own tar writer on purpose.
 */

/** One raw entry. Strings are byte strings (one char = one byte, as latin1). */
export interface RawEntry {
  name: string;
  /** Typeflag character; default `0`. */
  type?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  /** Body bytes (their length becomes the size unless `size` overrides it). */
  body?: Uint8Array | string;
  /** Raw size field text (octal digits or anything hostile); overrides the body's length. */
  sizeField?: string;
  mtime?: number;
  linkName?: string;
  devMajor?: number;
  devMinor?: number;
  /** PAX records written in an `x` header before this entry. */
  pax?: Record<string, string | Uint8Array>;
  /** Corrupts the checksum field. */
  badChecksum?: boolean;
}

const BLOCK = 512;

function bytes(value: Uint8Array | string): Uint8Array {
  return typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function put(block: Uint8Array, offset: number, length: number, value: string): void {
  block.set(Buffer.from(value, 'latin1').subarray(0, length), offset);
}

/** One 512-byte ustar header block. */
export function rawHeader(entry: RawEntry, size: number): Uint8Array {
  const block = new Uint8Array(BLOCK);
  put(block, 0, 100, entry.name);
  put(block, 100, 8, octal(entry.mode ?? (entry.type === '5' ? 0o755 : 0o644), 8));
  put(block, 108, 8, octal(entry.uid ?? 0, 8));
  put(block, 116, 8, octal(entry.gid ?? 0, 8));
  put(block, 124, 12, entry.sizeField ?? octal(size, 12));
  put(block, 136, 12, octal(entry.mtime ?? 1_600_000_000, 12));
  put(block, 156, 1, entry.type ?? '0');
  put(block, 157, 100, entry.linkName ?? '');
  put(block, 257, 8, 'ustar\x0000');
  put(block, 329, 8, octal(entry.devMajor ?? 0, 8));
  put(block, 337, 8, octal(entry.devMinor ?? 0, 8));
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  if (entry.badChecksum === true) sum += 1;
  put(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

/**
 * Recomputes the checksum of every block that carries the ustar magic, so that mutated header
 * fields reach the parser instead of stopping at the checksum.
 */
export function fixChecksums(tar: Uint8Array): Uint8Array {
  const out = Uint8Array.from(tar);
  for (let at = 0; at + BLOCK <= out.length; at += BLOCK) {
    if (Buffer.from(out.subarray(at + 257, at + 262)).toString('latin1') !== 'ustar') continue;
    out.fill(0x20, at + 148, at + 156);
    let sum = 0;
    for (let i = at; i < at + BLOCK; i++) sum += out[i]!;
    put(out, at + 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  }
  return out;
}

function padded(body: Uint8Array): Uint8Array[] {
  const padding = (BLOCK - (body.length % BLOCK)) % BLOCK;
  return padding === 0 ? [body] : [body, new Uint8Array(padding)];
}

/** The payload of a PAX header: `"%d %s=%s\n"` records. */
export function paxPayload(records: Record<string, string | Uint8Array>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [key, value] of Object.entries(records)) {
    const tail = Buffer.concat([Buffer.from(` ${key}=`, 'latin1'), bytes(value), Buffer.from('\n')]);
    let length = tail.length + 1;
    while (String(length).length + tail.length !== length) length++;
    parts.push(Buffer.concat([Buffer.from(String(length)), tail]));
  }
  return Buffer.concat(parts);
}

/** The blocks of one entry (its PAX header first, when it has one). */
export function rawEntry(entry: RawEntry): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (entry.pax !== undefined) {
    const payload = paxPayload(entry.pax);
    out.push(rawHeader({ name: 'PaxHeader', type: 'x' }, payload.length), ...padded(payload));
  }
  const body = bytes(entry.body ?? '');
  out.push(rawHeader(entry, body.length));
  if (body.length > 0) out.push(...padded(body));
  return out;
}

/** A whole archive: the entries, then two zero blocks unless `trailer` is false. */
export function rawTar(
  entries: RawEntry[],
  options: { trailer?: boolean; after?: Uint8Array } = {},
): Uint8Array {
  const blocks = entries.flatMap(rawEntry);
  if (options.trailer !== false) blocks.push(new Uint8Array(2 * BLOCK));
  if (options.after !== undefined) blocks.push(options.after);
  return Buffer.concat(blocks);
}

/** Streams bytes in chunks of `chunkSize` (default: one chunk). */
export async function* chunks(data: Uint8Array, chunkSize = data.length || 1): AsyncIterable<Uint8Array> {
  for (let i = 0; i < data.length; i += chunkSize) yield data.subarray(i, i + chunkSize);
}
