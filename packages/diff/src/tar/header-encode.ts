/**
 * Encoding tar headers exactly as Go's archive/tar does for Docker/containerd layers
 * (`Format: FormatPAX` = USTAR when every field fits, else a PAX `x` header + main header).
 */
import type { BytePath } from '../contracts.js';
import { PAX_XATTR_PREFIX } from './pax-decode.js';
import { HEADER_TYPEFLAG } from './typeflag.js';
import { BLOCK_SIZE, FIELD, paddingFor } from './ustar-layout.js';

/** The header fields the layer writer sets; strings are byte strings. */
export interface HeaderFields {
  name: BytePath;
  typeflag: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Whole seconds since the epoch (may be negative). */
  mtime: number;
  linkName: BytePath;
  devMajor: number;
  devMinor: number;
  /** Extended attributes to record as `SCHILY.xattr.*` (values non-empty). */
  xattrs: ReadonlyMap<string, Uint8Array> | undefined;
}

/** A PAX record: key and value as a byte string or raw bytes. */
type PaxRecord = readonly [key: string, value: string | Uint8Array, length: number];

/** What `encodeHeader` will write for one entry, computed once by `planHeader`. */
export interface HeaderPlan {
  fields: HeaderFields;
  /** PAX records (sorted by key) when USTAR cannot hold the entry, else undefined. */
  pax: PaxRecord[] | undefined;
  paxBytes: number;
  /** Total bytes `encodeHeader` writes: multiples of the block size. */
  length: number;
}

const NAME_LENGTH = FIELD.name[1];
const PREFIX_LENGTH = FIELD.prefix[1];
const MAX_OCTAL_ID = 0o7777777;
const MAX_OCTAL_SIZE = 0o77777777777;
const SLASH = 0x2f;
const MAGIC = [0x75, 0x73, 0x74, 0x61, 0x72, 0x00, 0x30, 0x30]; // "ustar\0" "00"

/**
 * Decides between USTAR and PAX like Go: PAX when a name/linkname is non-ASCII or too long (a name
 * that splits into prefix/name stays USTAR when ASCII), an id exceeds 2097151, the size reaches
 * 8 GiB, mtime is outside 0..8^11-1, or xattrs are present.
 */
export function planHeader(fields: HeaderFields): HeaderPlan {
  const records: PaxRecord[] = [];
  let needsPax = false;
  const { name, linkName } = fields;
  if (name.length > NAME_LENGTH || !isAscii(name)) {
    records.push(paxRecord('path', name));
    needsPax ||= splitUstarName(name) < 0;
  }
  if (linkName.length > NAME_LENGTH || !isAscii(linkName)) {
    records.push(paxRecord('linkpath', linkName));
    needsPax = true;
  }
  const numbers: [string, number, boolean][] = [
    ['uid', fields.uid, fields.uid <= MAX_OCTAL_ID],
    ['gid', fields.gid, fields.gid <= MAX_OCTAL_ID],
    ['size', fields.size, fields.size <= MAX_OCTAL_SIZE],
    ['mtime', fields.mtime, fields.mtime >= 0 && fields.mtime <= MAX_OCTAL_SIZE],
  ];
  for (const [key, value, fits] of numbers) {
    if (fits) continue;
    records.push(paxRecord(key, String(value)));
    needsPax = true;
  }
  if (fields.xattrs !== undefined && fields.xattrs.size > 0) {
    for (const [key, value] of fields.xattrs) records.push(paxRecord(PAX_XATTR_PREFIX + key, value));
    needsPax = true;
  }
  if (!needsPax) return { fields, pax: undefined, paxBytes: 0, length: BLOCK_SIZE };
  records.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let paxBytes = 0;
  for (const record of records) paxBytes += record[2];
  return { fields, pax: records, paxBytes, length: 2 * BLOCK_SIZE + paxBytes + paddingFor(paxBytes) };
}

/** Writes `plan.length` bytes of headers at `offset` into `target`, which must be zero there. */
export function encodeHeader(target: Uint8Array, offset: number, plan: HeaderPlan): void {
  const { fields, pax } = plan;
  if (pax === undefined) {
    encodeUstar(target, offset, fields);
    return;
  }
  encodePaxHeader(target, offset, fields.name, plan.paxBytes);
  let cursor = offset + BLOCK_SIZE;
  for (const [key, value, length] of pax) cursor = writePaxRecord(target, cursor, key, value, length);
  encodePaxMain(target, offset + plan.length - BLOCK_SIZE, fields);
}

function encodeUstar(target: Uint8Array, offset: number, fields: HeaderFields): void {
  const split = splitUstarName(fields.name);
  if (split < 0) {
    writeField(target, offset, FIELD.name, fields.name);
  } else {
    writeField(target, offset, FIELD.prefix, fields.name.slice(0, split));
    writeField(target, offset, FIELD.name, fields.name.slice(split + 1));
  }
  writeField(target, offset, FIELD.linkName, fields.linkName);
  writeNumbers(target, offset, fields, fields);
}

// Go's PAX main header: ASCII-only, truncated strings; fields that do not fit in octal read 0.
function encodePaxMain(target: Uint8Array, offset: number, fields: HeaderFields): void {
  writeField(target, offset, FIELD.name, toAscii(fields.name));
  writeField(target, offset, FIELD.linkName, toAscii(fields.linkName));
  writeNumbers(target, offset, fields, {
    uid: fields.uid <= MAX_OCTAL_ID ? fields.uid : 0,
    gid: fields.gid <= MAX_OCTAL_ID ? fields.gid : 0,
    size: fields.size <= MAX_OCTAL_SIZE ? fields.size : 0,
    mtime: fields.mtime >= 0 && fields.mtime <= MAX_OCTAL_SIZE ? fields.mtime : 0,
  });
}

function writeNumbers(
  target: Uint8Array,
  offset: number,
  fields: HeaderFields,
  fitted: Pick<HeaderFields, 'uid' | 'gid' | 'size' | 'mtime'>,
): void {
  writeOctal(target, offset + FIELD.mode[0], FIELD.mode[1], fields.mode);
  writeOctal(target, offset + FIELD.uid[0], FIELD.uid[1], fitted.uid);
  writeOctal(target, offset + FIELD.gid[0], FIELD.gid[1], fitted.gid);
  writeOctal(target, offset + FIELD.size[0], FIELD.size[1], fitted.size);
  writeOctal(target, offset + FIELD.mtime[0], FIELD.mtime[1], fitted.mtime);
  writeOctal(target, offset + FIELD.devMajor[0], FIELD.devMajor[1], fields.devMajor);
  writeOctal(target, offset + FIELD.devMinor[0], FIELD.devMinor[1], fields.devMinor);
  finishBlock(target, offset, fields.typeflag);
}

// Go's `writeRawFile`: name `dir/PaxHeaders.0/base`, only mode/uid/gid/size/mtime (zero) set.
function encodePaxHeader(target: Uint8Array, offset: number, name: BytePath, size: number): void {
  const slash = name.lastIndexOf('/', name.length - 2);
  const headerName = name.endsWith('/')
    ? `${name}PaxHeaders.0`
    : `${name.slice(0, slash + 1)}PaxHeaders.0/${name.slice(slash + 1)}`;
  let ascii = toAscii(headerName).slice(0, NAME_LENGTH);
  while (ascii.endsWith('/')) ascii = ascii.slice(0, -1);
  writeField(target, offset, FIELD.name, ascii);
  writeOctal(target, offset + FIELD.mode[0], FIELD.mode[1], 0);
  writeOctal(target, offset + FIELD.uid[0], FIELD.uid[1], 0);
  writeOctal(target, offset + FIELD.gid[0], FIELD.gid[1], 0);
  writeOctal(target, offset + FIELD.size[0], FIELD.size[1], size);
  writeOctal(target, offset + FIELD.mtime[0], FIELD.mtime[1], 0);
  finishBlock(target, offset, HEADER_TYPEFLAG.paxLocal);
}

// Typeflag, magic/version, then the checksum (`%06o\0 `) over the finished block.
function finishBlock(target: Uint8Array, offset: number, typeflag: string): void {
  target[offset + FIELD.typeflag[0]] = typeflag.charCodeAt(0);
  target.set(MAGIC, offset + FIELD.magic[0]);
  let sum = 0x20 * FIELD.checksum[1];
  for (let i = offset; i < offset + BLOCK_SIZE; i++) sum += target[i]!;
  writeOctal(target, offset + FIELD.checksum[0], FIELD.checksum[1] - 1, sum);
  target[offset + FIELD.checksum[0] + FIELD.checksum[1] - 1] = 0x20;
}

// `length-1` zero-padded octal digits and a NUL (Go `formatOctal`); callers pass values that fit.
function writeOctal(target: Uint8Array, offset: number, length: number, value: number): void {
  let rest = value;
  for (let i = offset + length - 2; i >= offset; i--) {
    target[i] = 0x30 + (rest % 8);
    rest = Math.floor(rest / 8);
  }
}

// Go `formatString`: copy what fits; when truncation leaves a trailing `/`, end the field early
// so no reader mistakes a long file name for a directory.
function writeField(
  target: Uint8Array,
  offset: number,
  [start, length]: readonly [number, number],
  text: string,
): void {
  const at = offset + start;
  const count = Math.min(length, text.length);
  for (let i = 0; i < count; i++) target[at + i] = text.charCodeAt(i);
  if (text.length > length && target[at + length - 1] === SLASH) {
    let end = length - 1;
    while (end > 0 && text.charCodeAt(end - 1) === SLASH) end--;
    target[at + end] = 0;
  }
}

/**
 * Go `splitUSTARPath`: the index of the `/` that splits an ASCII name longer than 100 bytes into
 * prefix (≤155) and name (≤100), or -1 when it cannot be split.
 */
function splitUstarName(name: BytePath): number {
  if (name.length <= NAME_LENGTH || !isAscii(name)) return -1;
  let length = name.length;
  if (length > PREFIX_LENGTH + 1) length = PREFIX_LENGTH + 1;
  else if (name.charCodeAt(length - 1) === SLASH) length--;
  const split = name.lastIndexOf('/', length - 1);
  const suffixLength = name.length - split - 1;
  if (split <= 0 || suffixLength > NAME_LENGTH || suffixLength === 0 || split > PREFIX_LENGTH) return -1;
  return split;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80 || code === 0) return false;
  }
  return true;
}

function toAscii(text: string): string {
  return isAscii(text) ? text : text.replace(/[^\x01-\x7f]/g, '');
}

// A record's length counts its own decimal digits: `"%d %s=%s\n"`.
function paxRecord(key: string, value: string | Uint8Array): PaxRecord {
  const base = key.length + value.length + 3;
  let length = base + String(base).length;
  if (String(length).length !== String(base).length) length = base + String(length).length;
  return [key, value, length];
}

function writePaxRecord(
  target: Uint8Array,
  offset: number,
  key: string,
  value: string | Uint8Array,
  length: number,
): number {
  let cursor = offset;
  const prefix = `${length} ${key}=`;
  for (let i = 0; i < prefix.length; i++) target[cursor++] = prefix.charCodeAt(i);
  if (typeof value === 'string') {
    for (let i = 0; i < value.length; i++) target[cursor++] = value.charCodeAt(i);
  } else {
    target.set(value, cursor);
    cursor += value.length;
  }
  target[cursor++] = 0x0a;
  return cursor;
}
