import { join } from 'node:path';
import { runTool } from './tools.js';
import type { TreeFact } from './tree.js';

/** One row of `umoci stat --json`: a config history entry joined with the layer it made. */
export interface UmociHistoryRow {
  readonly layer?: { readonly mediaType: string; readonly digest: string; readonly size: number } | null;
  readonly diff_id?: string;
  readonly created?: string;
  readonly created_by?: string;
  readonly author?: string;
  readonly comment?: string;
  readonly empty_layer?: boolean;
}

/** `umoci stat --json` output. */
export interface UmociStat {
  readonly history: readonly UmociHistoryRow[];
}

/** History fields {@link repack} records for the new layer. */
export interface UmociHistoryOptions {
  readonly createdBy?: string;
  readonly author?: string;
  readonly comment?: string;
  /** RFC 3339 timestamp. */
  readonly created?: string;
}

const image = (layoutDir: string, tag: string) => `${layoutDir}:${tag}`;

/** `umoci ls --layout DIR`: the tags (`org.opencontainers.image.ref.name`) of the layout. */
export async function ls(layoutDir: string): Promise<string[]> {
  const { stdout } = await runTool('umoci', ['ls', '--layout', layoutDir]);
  return stdout.split('\n').filter((line) => line !== '');
}

/** `umoci stat --json --image DIR:TAG`: the image's history as umoci reads it. */
export async function stat(layoutDir: string, tag: string): Promise<UmociStat> {
  const { stdout } = await runTool('umoci', ['stat', '--json', '--image', image(layoutDir, tag)]);
  return JSON.parse(stdout) as UmociStat;
}

/**
 * `umoci unpack [--rootless] --image DIR:TAG BUNDLE`: verifies every blob digest, applies every
 * layer (whiteouts included) and checks the diff_ids. Returns the unpacked rootfs path.
 */
export async function unpack(
  layoutDir: string,
  tag: string,
  bundleDir: string,
  options: { readonly rootless?: boolean } = {},
): Promise<string> {
  await runTool('umoci', [
    'unpack',
    ...(options.rootless ? ['--rootless'] : []),
    '--image',
    image(layoutDir, tag),
    bundleDir,
  ]);
  return join(bundleDir, 'rootfs');
}

/** `umoci init --layout DIR`: a new, empty OCI image layout. */
export async function init(layoutDir: string): Promise<void> {
  await runTool('umoci', ['init', '--layout', layoutDir]);
}

/** `umoci new --image DIR:TAG`: an image with no layers, tagged `tag`. */
export async function newImage(layoutDir: string, tag: string): Promise<void> {
  await runTool('umoci', ['new', '--image', image(layoutDir, tag)]);
}

/**
 * `umoci repack --image DIR:TAG BUNDLE`: diffs the bundle's rootfs against the image it was
 * unpacked from and writes the changes as a new layer on top, tagged `tag`.
 */
export async function repack(
  layoutDir: string,
  tag: string,
  bundleDir: string,
  history: UmociHistoryOptions = {},
): Promise<void> {
  const flags: [string, string | undefined][] = [
    ['--history.created_by', history.createdBy],
    ['--history.author', history.author],
    ['--history.comment', history.comment],
    ['--history.created', history.created],
  ];
  const historyArgs = flags.flatMap(([flag, value]) => (value === undefined ? [] : [`${flag}=${value}`]));
  await runTool('umoci', ['repack', ...historyArgs, '--image', image(layoutDir, tag), bundleDir]);
}

/** The xattr in which `umoci unpack --rootless` records an owner it could not (or would not) set. */
const ROOTLESS_XATTR = 'user.rootlesscontainers';
/** rootlesscontainers' "do not change this id". */
const NOOP_ID = 0xffff_ffff;

/**
 * Reads one varint of the `rootlesscontainers.Resource` protobuf (`uint32 uid = 1; uint32 gid = 2`)
 * at `offset`; returns the value and the offset after it.
 */
function readVarint(bytes: Buffer, offset: number): [number, number] {
  let value = 0;
  for (let shift = 0, at = offset; at < bytes.length; shift += 7, at++) {
    const byte = bytes[at] ?? 0;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, at + 1];
  }
  throw new Error(`interop: truncated varint in ${ROOTLESS_XATTR} ${bytes.toString('hex')}`);
}

/**
 * A rootless unpack's tree with the owners umoci recorded in `user.rootlesscontainers` put back
 * into uid/gid (and that xattr removed): what a root unpack of the same image shows. umoci writes
 * the xattr for every entry whose owner is not root; proto3 leaves out zero fields, and the
 * value 2^32-1 (`NoopID`) means "keep the owner on disk".
 */
export function withRootlessOwners(facts: readonly TreeFact[]): TreeFact[] {
  return facts.map((fact) => {
    const hex = fact.xattrs[ROOTLESS_XATTR];
    if (hex === undefined) return fact;
    const owner = { uid: 0, gid: 0 };
    const bytes = Buffer.from(hex, 'hex');
    for (let offset = 0; offset < bytes.length; ) {
      const [key, afterKey] = readVarint(bytes, offset);
      const [value, afterValue] = readVarint(bytes, afterKey);
      if (key === 0x08) owner.uid = value === NOOP_ID ? fact.uid : value;
      else if (key === 0x10) owner.gid = value === NOOP_ID ? fact.gid : value;
      else throw new Error(`interop: unexpected field ${key} in ${ROOTLESS_XATTR} ${hex}`);
      offset = afterValue;
    }
    const { [ROOTLESS_XATTR]: _recorded, ...xattrs } = fact.xattrs;
    return { ...fact, ...owner, xattrs };
  });
}
