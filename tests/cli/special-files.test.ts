/**
 * Issue 15 (R12): a FIFO or a device in place of a file layerkit opens by path — a layout's
 * `index.json`, `oci-layout`, a blob, its lock file, an `oci-archive:` or `docker-archive:` input —
 * never hangs a command (a FIFO with no writer blocks a plain `open` forever). The command ends
 * at once with exit 1 and one line naming the path, and the layout is left as it was.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useScratchDir } from '../fixtures/scratch.js';
import { buildCli, failsWith, ok, writeTree } from './cli.js';

/** A hang ends at the run's own timeout (cli.ts, 120 s) and fails the test; this leaves room for it. */
const HANG_TIMEOUT = 150_000;

const work = useScratchDir('cli-special-files');
let layout: string;

beforeAll(() => {
  buildCli();
  layout = join(work.path, 'images');
  writeTree(join(work.path, 'rootfs'), { 'etc/hostname': 'base\n' });
  ok(['import', join(work.path, 'rootfs'), `oci:${layout}:base`]);
});

/** A copy of the layout, named `name`, with a FIFO (or, given `device`, that character device) at `file`. */
function layoutWith(name: string, file: string, device?: [number, number]): string {
  const copy = join(work.path, name);
  cpSync(layout, copy, { recursive: true });
  rmSync(join(copy, file), { force: true });
  if (device === undefined) execFileSync('mkfifo', [join(copy, file)]);
  else execFileSync('mknod', [join(copy, file), 'c', String(device[0]), String(device[1])]);
  return copy;
}

describe('a FIFO or device in place of a layout file ends the command with NOT_A_REGULAR_FILE', () => {
  it.each(['history', 'verify', 'inspect'])(
    'index.json as a FIFO: %s',
    (command) => {
      const dir = layoutWith(`fifo-index-${command}`, 'index.json');
      failsWith([command, `oci:${dir}:base`], `${dir}/index.json: a FIFO, not a regular file`);
    },
    HANG_TIMEOUT,
  );

  it(
    'oci-layout as a FIFO',
    () => {
      const dir = layoutWith('fifo-oci-layout', 'oci-layout');
      failsWith(['history', `oci:${dir}:base`], `${dir}/oci-layout: a FIFO, not a regular file`);
    },
    HANG_TIMEOUT,
  );

  it(
    'index.json as a character device (/dev/zero)',
    () => {
      const dir = layoutWith('device-index', 'index.json', [1, 5]);
      failsWith(['history', `oci:${dir}:base`], `${dir}/index.json: a character device, not a regular file`);
    },
    HANG_TIMEOUT,
  );

  it(
    'tag into a layout whose index.json is a FIFO ends, and releases its lock',
    () => {
      const dir = layoutWith('fifo-index-tag', 'index.json');
      failsWith(
        ['tag', `oci:${layout}:base`, `oci:${dir}:copy`],
        `${dir}/index.json: a FIFO, not a regular file`,
      );
      expect(readdirSync(dir).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
    },
    HANG_TIMEOUT,
  );

  it(
    'a FIFO as the layout lock (index.json.lock)',
    () => {
      const dir = layoutWith('fifo-lock', 'index.json.lock');
      const index = readFileSync(join(dir, 'index.json'));
      failsWith(
        ['tag', `oci:${dir}:base`, `oci:${dir}:again`],
        `${dir}/index.json.lock: a FIFO, not a regular file`,
      );
      expect(readFileSync(join(dir, 'index.json'))).toEqual(index);
    },
    HANG_TIMEOUT,
  );

  it(
    'a blob as a FIFO: BLOB_CORRUPT naming the blob file',
    () => {
      const manifest = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')).manifests[0]
        .digest as string;
      const file = `blobs/sha256/${manifest.slice('sha256:'.length)}`;
      const dir = layoutWith('fifo-blob', file);
      failsWith(
        ['history', `oci:${dir}:base`],
        `blob ${manifest} is corrupt (${dir}/${file}: a FIFO, not a regular file)`,
      );
    },
    HANG_TIMEOUT,
  );
});

describe('a FIFO as an archive input ends the command with NOT_A_REGULAR_FILE', () => {
  it.each(['oci-archive', 'docker-archive'])(
    '%s:FIFO',
    (transport) => {
      const fifo = join(work.path, `${transport}.tar`);
      execFileSync('mkfifo', [fifo]);
      failsWith(['history', `${transport}:${fifo}`], `${fifo}: a FIFO, not a regular file`);
      failsWith(
        ['copy', `${transport}:${fifo}`, `oci:${join(work.path, 'out')}:x`],
        `${fifo}: a FIFO, not a regular file`,
      );
    },
    HANG_TIMEOUT,
  );
});
