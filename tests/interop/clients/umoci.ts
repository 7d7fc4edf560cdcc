import { join } from 'node:path';
import { runTool } from './tools.js';

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
