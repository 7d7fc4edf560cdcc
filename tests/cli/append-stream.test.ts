/**
 * `layerkit append` reads its layer once: from standard input (`-`), a pipe given as
 * `/dev/stdin`, or a named FIFO — and an empty input is refused (exit 1, nothing published),
 * never turned into an empty layer that verify would call ok.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useScratchDir } from '../fixtures/scratch.js';
import { BIN, buildCli, EPOCH, environment, ok, readImage, writeTree } from './cli.js';

const work = useScratchDir('cli-append-stream');
let layout: string;
let tarFile: string;
const env = { SOURCE_DATE_EPOCH: String(EPOCH) };

beforeAll(() => {
  buildCli();
  layout = join(work.path, 'images');
  writeTree(join(work.path, 'rootfs'), { 'etc/hostname': 'base\n' });
  writeTree(join(work.path, 'extra'), { 'opt/extra.txt': 'extra\n' });
  ok(['import', join(work.path, 'rootfs'), `oci:${layout}:base`], { env });
  tarFile = join(work.path, 'extra.tar');
  execFileSync('tar', ['-C', join(work.path, 'extra'), '-cf', tarFile, '.']);
}, 300_000);

/**
 * `layerkit ARGS…` with its stdin a real pipe (as in a shell pipeline) from `cat FILE` (or from
 * nothing): Node's own child stdio are sockets, which `/dev/stdin` cannot be opened on.
 */
function piped(
  args: readonly string[],
  input: string | undefined,
): { status: number | null; stderr: string; stdout: string } {
  const quoted = args.map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(' ');
  const source = input === undefined ? ': ' : `cat '${input}'`;
  const result = spawnSync('sh', ['-c', `${source} | "$0" '${BIN}' ${quoted}`, process.execPath], {
    env: environment(env),
    cwd: work.path,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('append from a stream', () => {
  it.each([['-'], ['/dev/stdin']])('reads the layer from %s once: the extra file is in the image', (name) => {
    const tag = name === '-' ? 'stdin' : 'devstdin';
    const run = piped(['append', `oci:${layout}:base`, name, `oci:${layout}:${tag}`], tarFile);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const image = readImage(layout, tag);
    expect(image.manifest.layers).toHaveLength(2);
    // Not the DiffID of nothing: the layer holds the file.
    const extract = join(work.path, `${tag}-rootfs`);
    ok(['unpack', `oci:${layout}:${tag}`, extract]);
    expect(readFileSync(join(extract, 'opt/extra.txt'), 'utf8')).toBe('extra\n');
  });

  it('reads a named FIFO (no hang)', async () => {
    const fifo = join(work.path, 'layer.fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', tarFile, fifo]);
    const written = new Promise((resolve) => writer.on('close', resolve));
    const run = piped(['append', `oci:${layout}:base`, fifo, `oci:${layout}:fifo`], undefined);
    await written;
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(readImage(layout, 'fifo').manifest.layers).toHaveLength(2);
  });

  it('an empty stdin is refused with one line and nothing published', () => {
    const before = readFileSync(join(layout, 'index.json'));
    const run = piped(['append', `oci:${layout}:base`, '-', `oci:${layout}:empty`], undefined);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('layerkit: append: the layer is empty (no bytes): not a tar archive\n');
    expect(readFileSync(join(layout, 'index.json'))).toEqual(before);
  });

  it('a non-tar stdin is refused with one line naming the problem', () => {
    const before = readFileSync(join(layout, 'index.json'));
    const junk = join(work.path, 'junk');
    writeFileSync(junk, 'x'.repeat(2000));
    const run = piped(['append', `oci:${layout}:base`, '-', `oci:${layout}:junk`], junk);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^layerkit: append: tar entry .*\n$/);
    expect(readFileSync(join(layout, 'index.json'))).toEqual(before);
  });
});
