/**
 * Issue 6: progress of the long operations (unpack, commit, import, convert) goes to stderr
 * only when stderr is a terminal, never to stdout; off a terminal, and with `--quiet` on one,
 * stderr stays silent. The terminal is a pseudo-TTY from `script -qec`, with stdout redirected
 * to a file inside it so the two channels can be told apart.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useScratchDir } from '../fixtures/scratch.js';
import { BIN, buildCli, bytesOf, layerkit, ok, readImage, writeTree } from './cli.js';

const work = useScratchDir('cli-progress');
let layout: string;

beforeAll(() => {
  buildCli();
  layout = join(work.path, 'images');
  writeTree(join(work.path, 'rootfs'), {
    'etc/hostname': 'web\n',
    'usr/lib/a.bin': bytesOf(1, 3 << 20),
    'usr/lib/b.bin': bytesOf(2, 3 << 20),
  });
});

/** `layerkit ARGS…` with stderr on a pseudo-terminal and stdout into a file: what each received. */
function onTerminal(args: string[]): { status: number | null; terminal: string; stdout: string } {
  const stdoutFile = join(work.path, 'stdout.txt');
  writeFileSync(stdoutFile, '');
  const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  const run = spawnSync('script', ['-qec', `${command} > ${quote(stdoutFile)}`, '/dev/null'], {
    cwd: work.path,
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
    timeout: 120_000,
  });
  return { status: run.status, terminal: run.stdout, stdout: readFileSync(stdoutFile, 'utf8') };
}

/** A progress redraw: carriage return, erase line, then the text. */
const redraw = (text: string) => new RegExp(`\\r\\x1b\\[2K${text}`);

describe('off a terminal', () => {
  it('import, unpack, commit and convert print only their results, nothing on stderr', () => {
    const image = `oci:${layout}:quiet`;
    const silent = (args: string[]) => {
      const run = layerkit(args, { cwd: work.path });
      expect(run.status).toBe(0);
      expect(run.stderr).toBe('');
      return run.stdout;
    };
    expect(silent(['import', 'rootfs', image])).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(silent(['unpack', image, 'unpacked'])).toBe('');
    writeFileSync(join(work.path, 'unpacked/usr/lib/c.bin'), bytesOf(3, 2 << 20));
    expect(silent(['commit', image, 'unpacked', `oci:${layout}:quiet2`])).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(readImage(layout, 'quiet2').manifest.layers).toHaveLength(2);
    expect(silent(['convert', image, `oci-archive:${join(work.path, 'quiet.tar')}`])).toMatch(
      /^sha256:[0-9a-f]{64}\n$/,
    );
  });
});

describe('on a terminal', () => {
  let image: string;
  /** An image and a changed rootfs unpacked from it, made off a terminal: each test runs alone. */
  beforeAll(() => {
    image = `oci:${layout}:tty`;
    ok(['import', 'rootfs', image], { cwd: work.path });
    ok(['unpack', image, 'tty-rootfs'], { cwd: work.path });
    writeFileSync(join(work.path, 'tty-rootfs/usr/lib/c.bin'), bytesOf(3, 2 << 20));
  });

  it('import shows "writing layer" with bytes and rate on stderr; stdout has only the image ID', () => {
    const run = onTerminal(['import', 'rootfs', `oci:${layout}:tty-import`]);
    expect(run.status).toBe(0);
    expect(run.terminal).toMatch(
      redraw('writing layer: \\d+(\\.\\d)? [KM]?i?B \\(\\d+(\\.\\d)? [KMG]?i?B/s\\)'),
    );
    expect(run.stdout).toBe(`${readImage(layout, 'tty-import').configDigest}\n`);
    // The progress line is erased at the end, and the result never reaches the terminal.
    expect(run.terminal).toMatch(/\r\x1b\[2K$/);
    expect(run.terminal).not.toContain('sha256:');
  });

  it('unpack shows layer, bytes of the total and rate', () => {
    const run = onTerminal(['unpack', image, 'tty-unpacked']);
    expect(run.status).toBe(0);
    expect(run.terminal).toMatch(redraw('unpacking layer 1/1: \\S+ \\S+ of \\S+ \\S+ \\(\\S+ \\S+/s\\)'));
    expect(run.stdout).toBe('');
  });

  it('commit (of the unpacked rootfs, changed) shows "writing layer"; convert "copying layers"', () => {
    const commit = onTerminal(['commit', image, 'tty-rootfs', `oci:${layout}:tty2`]);
    expect(commit.status).toBe(0);
    expect(commit.terminal).toMatch(redraw('writing layer: '));
    const convert = onTerminal(['convert', image, `oci-archive:${join(work.path, 'tty.tar')}`]);
    expect(convert.status).toBe(0);
    expect(convert.terminal).toMatch(redraw('copying layers: '));
    expect(convert.stdout).toBe(`${readImage(layout, 'tty').manifestDigest}\n`);
  });

  it('--quiet silences it', () => {
    for (const args of [
      ['import', '-q', 'rootfs', `oci:${layout}:q`],
      ['unpack', '--quiet', image, 'q-rootfs'],
      ['commit', '-q', image, 'tty-rootfs', `oci:${layout}:q2`],
      ['convert', '-q', image, `oci-archive:${join(work.path, 'q.tar')}`],
    ]) {
      const run = onTerminal(args);
      expect(run.status).toBe(0);
      expect(run.terminal).toBe('');
    }
  });
});
