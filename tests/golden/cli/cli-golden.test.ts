/**
 * Issue 6: the CLI's output formats as goldens, on an image built by the CLI itself from fixed
 * trees with SOURCE_DATE_EPOCH (so every digest and date is fixed): `diff` text and JSON, and
 * `history` as a table with `--human=false`, `--no-trunc`, `-q` and JSON, and `images` (issue 18:
 * long names, `<none>`, the name filter, `-q`, `--no-trunc`, JSON) with the clock fixed. Also the
 * reproducibility promise: the same steps with the same epoch give the same image ID and
 * manifest digest in another layout. The golden files are this directory's `*.golden` (see
 * CONTRIBUTING.md, "Golden files": `pnpm vitest run -u tests/golden/cli` rewrites them).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, bytesOf, EPOCH, ok, readImage, writeTree } from '../../cli/cli.js';
import { useScratchDir } from '../../fixtures/scratch.js';

const HOUR = 3600;
const AUTHOR = 'Tao Wang <twang2218@gmail.com>';

const work = useScratchDir('cli-golden');

/** What {@link buildImage} printed: the diff before the commit, and the image ID. */
interface Built {
  diffText: string;
  diffJson: string;
  id: string;
}

/** Builds the fixed three-step image into `layout` (tag `app`), the steps `epoch` + 0, 1, 2 hours. */
function buildImage(layout: string, epoch = EPOCH): Built {
  const run = (args: string[], at: number) =>
    ok(args, { cwd: work.path, env: { SOURCE_DATE_EPOCH: String(at) } });
  const image = `oci:${layout}:app`;
  run(
    ['import', '--platform', 'linux/amd64', '-m', 'base system', '-c', 'CMD ["/bin/sh"]', 'base', image],
    epoch,
  );
  run(
    ['config', '--env', 'PATH=/usr/local/bin:/usr/bin:/bin', '--label', 'maintainer=ops', image, image],
    epoch + HOUR,
  );
  const rootfs = `${layout}-rootfs`;
  run(['unpack', image, rootfs], epoch);
  writeFileSync(join(rootfs, 'usr/share/nginx/html/index.html'), '<h1>Hello, Docker!</h1>\n');
  writeFileSync(join(rootfs, 'etc/motd'), 'welcome\n');
  rmSync(join(rootfs, 'var/cache'), { recursive: true });
  return {
    diffText: ok(['diff', image, rootfs]),
    diffJson: ok(['diff', '--format', 'json', image, rootfs]),
    id: run(['commit', '-a', AUTHOR, '-m', '修改了默认网页', image, rootfs, image], epoch + 2 * HOUR),
  };
}

let built: Built;
let layout: string;

beforeAll(() => {
  buildCli();
  writeTree(join(work.path, 'base'), {
    'bin/sh': { content: bytesOf(1, 8192), mode: 0o755 },
    'etc/hostname': 'web\n',
    'usr/share/nginx/html/index.html': '<h1>Welcome to nginx!</h1>\n',
    'var/cache/apt/pkgcache.bin': bytesOf(2, 2048),
    'var/cache/apt/srcpkgcache.bin': bytesOf(3, 2048),
  });
  layout = join(work.path, 'images');
  built = buildImage(layout);
});

/** Compares `actual` byte for byte with the golden file `name` beside this file (`-u` rewrites it). */
function expectGolden(actual: string, name: string): Promise<void> {
  return expect(actual).toMatchFileSnapshot(name);
}

describe('diff output', () => {
  it('text, like docker diff', () => expectGolden(built.diffText, 'diff.golden'));
  it('json, like the Engine API', () => expectGolden(built.diffJson, 'diff.json.golden'));
});

describe('history output (TZ=UTC)', () => {
  const history = (...flags: string[]) => ok(['history', ...flags, `oci:${layout}:app`]);
  it('--human=false', () => expectGolden(history('--human=false'), 'history.non-human.golden'));
  it('-H=false is the same', () => expect(history('-H=false')).toBe(history('--human=false')));
  it('--no-trunc -H=false', () => expectGolden(history('--no-trunc', '-H=false'), 'history.no-trunc.golden'));
  it('-q', () => expectGolden(history('-q'), 'history.quiet.golden'));
  it('-q --no-trunc', () => expectGolden(history('-q', '--no-trunc'), 'history.quiet-no-trunc.golden'));
  it('--format json --human=false', () =>
    expectGolden(history('--format', 'json', '--human=false'), 'history.json.golden'));
  it('the human table shows the same rows with relative dates and decimal sizes', () => {
    const lines = history().split('\n');
    expect(lines[0]).toMatch(/^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$/);
    expect(lines[1]).toMatch(/ ago +.* \d+(\.\d+)?[kM]?B +修改了默认网页$/);
  });
});

describe('images output (the clock fixed 3 hours after the epoch)', () => {
  /** `layerkit images ARGS…` at EPOCH + 3 h, over a layout holding the built image under several names. */
  const images = (...args: string[]) => ok(['images', ...args], { now: '2024-06-01T03:00:00Z' });
  let listed: string;

  beforeAll(() => {
    listed = join(work.path, 'listed');
    // The image under its own tag, a long full name, a ref name that is no Docker name, and
    // untagged (a copy into the layout without a tag); the base image below them.
    ok(['convert', `oci:${layout}:app`, `oci:${listed}:app:v2`]);
    ok([
      'tag',
      `oci:${listed}:app:v2`,
      `oci:${listed}:registry.example.com:5000/platform-team/services/web-frontend:1.2.3-rc.1-build.20240601`,
    ]);
    ok(['tag', `oci:${listed}:app:v2`, `oci:${listed}:1.0+build`]);
    ok(['convert', `oci:${layout}:app`, `oci:${listed}`]);
    ok(['import', '--platform', 'linux/amd64', 'base', `oci:${listed}:base`], {
      cwd: work.path,
      env: { SOURCE_DATE_EPOCH: String(EPOCH) },
    });
  });

  it('the table', () => expectGolden(images(`oci:${listed}`), 'images.golden'));
  it('ls is images', () =>
    expect(ok(['ls', `oci:${listed}`], { now: '2024-06-01T03:00:00Z' })).toBe(images(`oci:${listed}`)));
  it('--no-trunc', () => expectGolden(images('--no-trunc', `oci:${listed}`), 'images.no-trunc.golden'));
  it('-q', () => expectGolden(images('-q', `oci:${listed}`), 'images.quiet.golden'));
  it('--format json', () => expectGolden(images('--format', 'json', `oci:${listed}`), 'images.json.golden'));
  it('a name filter', () => expectGolden(images(`oci:${listed}`, 'app'), 'images.filter.golden'));
  it('a filter matching nothing: the header alone', () =>
    expect(images(`oci:${listed}`, 'nginx')).toBe('REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n'));
  it('the image ID is the one commit printed', () =>
    expect(images('-q', '--no-trunc', `oci:${listed}`, 'app:v2')).toBe(built.id));
});

describe('SOURCE_DATE_EPOCH makes commits reproducible', () => {
  it('the same steps into another layout give the same image ID and manifest digest', () => {
    const other = join(work.path, 'other-images');
    const again = buildImage(other);
    const first = readImage(layout, 'app');
    const second = readImage(other, 'app');
    expect(built.id.trim()).toBe(first.configDigest);
    expect(again.id).toBe(built.id);
    expect(second.configDigest).toBe(first.configDigest);
    expect(second.manifestDigest).toBe(first.manifestDigest);
    expect(second.config.history?.at(-1)?.created).toBe('2024-06-01T02:00:00Z');
  });

  it('another epoch gives another image ID', () => {
    const later = join(work.path, 'later-images');
    buildImage(later, EPOCH + 1);
    expect(readImage(later, 'app').configDigest).not.toBe(readImage(layout, 'app').configDigest);
  });
});
