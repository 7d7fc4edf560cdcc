/**
 * Multi-platform images through the built CLI: `layerkit index DEST IMAGE...` (with
 * `--annotation`) and `layerkit copy --all` / `tag --all` between a layout and an oci-archive,
 * read back by `inspect --platform`; usage mistakes (`--all` with `--platform`, a bad
 * `--annotation`, no image) exit 2 and refused operations (two images for one platform, a
 * docker-archive destination, a missing image) exit 1, each with one line on stderr, nothing on
 * stdout and the destination unchanged; the help text documents both.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useScratchDir } from '../fixtures/scratch.js';
import { buildCli, bytesOf, layerkit, ok, REPO, writeTree } from './cli.js';

const REF_NAME = 'org.opencontainers.image.ref.name';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** The images the tests list: a platform each, and a second amd64 image. */
const IMAGES = {
  amd64: 'linux/amd64',
  arm64: 'linux/arm64',
  armv7: 'linux/arm/v7',
  other: 'linux/amd64',
} as const;
type ImageName = keyof typeof IMAGES;

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}
interface Index {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

const work = useScratchDir('cli-multi-platform');
let layout: string;
const manifests = {} as Record<ImageName, string>;
let dirs = 0;
const fresh = (label: string) => join(work.path, `${dirs++}-${label}`);
const image = (name: ImageName) => `oci:${layout}:${name}`;

const blob = (dir: string, digest: string) => join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const indexJson = (dir: string) => JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as Index;
const tagged = (dir: string, tag: string) => {
  const entry = indexJson(dir).manifests.find((m) => m.annotations?.[REF_NAME] === tag);
  if (entry === undefined) throw new Error(`no tag ${tag} in ${dir}`);
  return entry;
};
const readIndexBlob = (dir: string, digest: string) => {
  const bytes = readFileSync(blob(dir, digest));
  expect(sha256(bytes)).toBe(digest);
  return JSON.parse(bytes.toString('utf8')) as Index;
};

/** The platform string as an index descriptor spells it. */
function platformOf(text: string): Descriptor['platform'] {
  const [os = '', architecture = '', variant] = text.split('/');
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/** Runs a failing command: the exit status, one `layerkit: COMMAND: …` line, empty stdout. */
function fails(args: string[], status: 1 | 2): string {
  const run = layerkit(args, { cwd: work.path });
  expect(run.status, run.stderr).toBe(status);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(new RegExp(`^layerkit: ${args[0]}: [^\\n]+\\n$`));
  return run.stderr;
}

/** Every file below `dir`, sorted (what a refused command must not change). */
function filesBelow(dir: string): string[] {
  return existsSync(dir) ? (readdirSync(dir, { recursive: true }) as string[]).sort() : [];
}

beforeAll(() => {
  // The CLI as `pnpm build` makes it: compiled, then bundled into dist/layerkit.js.
  buildCli();
  const bundled = spawnSync(process.execPath, [join(REPO, 'scripts/bundle-cli.mjs')], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (bundled.status !== 0) throw new Error(`bundle-cli failed:\n${bundled.stdout}${bundled.stderr}`);
  layout = join(work.path, 'images');
  for (const [seed, name] of (Object.keys(IMAGES) as ImageName[]).entries()) {
    const rootfs = join(work.path, `rootfs-${name}`);
    writeTree(rootfs, { 'etc/platform': `${name}\n`, 'usr/lib/payload.bin': bytesOf(seed + 40, 16 * 1024) });
    ok(['import', '--quiet', '--platform', IMAGES[name], rootfs, image(name)], {
      cwd: work.path,
      env: { SOURCE_DATE_EPOCH: '1717200000' },
    });
    manifests[name] = tagged(layout, name).digest;
  }
  ok(['index', '--quiet', `oci:${layout}:multi`, image('amd64'), image('arm64')]);
});

describe('layerkit index', () => {
  it('prints the index digest; the index lists each image under its platform, with the annotations', () => {
    const dest = fresh('index');
    const stdout = ok(
      [
        'index',
        '--annotation',
        'org.opencontainers.image.title=app',
        '--annotation',
        'example.com/expr=a=b',
        `oci:${dest}:app`,
        image('amd64'),
        image('arm64'),
        image('armv7'),
      ],
      { cwd: work.path },
    );
    expect(stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const digest = stdout.trim();
    expect(indexJson(dest).manifests).toEqual([
      {
        mediaType: OCI_INDEX,
        digest,
        size: readFileSync(blob(dest, digest)).length,
        annotations: { [REF_NAME]: 'app' },
      },
    ]);
    const index = readIndexBlob(dest, digest);
    expect(index.annotations).toEqual({ 'org.opencontainers.image.title': 'app', 'example.com/expr': 'a=b' });
    expect(
      index.manifests.map(({ mediaType, digest: d, platform }) => ({ mediaType, digest: d, platform })),
    ).toEqual(
      (['amd64', 'arm64', 'armv7'] as const).map((name) => ({
        mediaType: OCI_MANIFEST,
        digest: manifests[name],
        platform: platformOf(IMAGES[name]),
      })),
    );
    // inspect --platform picks each image of the index.
    for (const name of ['amd64', 'arm64', 'armv7'] as const) {
      const summary = JSON.parse(ok(['inspect', '--platform', IMAGES[name], `oci:${dest}:app`])) as {
        Digest: string;
        Architecture: string;
      };
      expect(summary.Digest).toBe(manifests[name]);
      expect(summary.Architecture).toBe(platformOf(IMAGES[name])!.architecture);
    }
  });

  it('copy --all: layout → oci-archive → layout keeps every digest; tag --all too', () => {
    const source = fresh('copy-src');
    const digest = ok(['index', '-q', `oci:${source}:app`, image('amd64'), image('arm64')]).trim();
    const archive = fresh('multi.tar');
    expect(ok(['copy', '--all', '-q', `oci:${source}:app`, `oci-archive:${archive}:example.com/app:1`])).toBe(
      `${digest}\n`,
    );
    const back = fresh('copy-back');
    expect(ok(['copy', '-a', `oci-archive:${archive}:example.com/app:1`, `oci:${back}:app`])).toBe(
      `${digest}\n`,
    );
    expect(ok(['tag', '--all', `oci:${back}:app`, `oci:${back}:latest`])).toBe(`${digest}\n`);
    expect(tagged(back, 'latest')).toMatchObject({ mediaType: OCI_INDEX, digest });
    // Every blob the index reaches, byte for byte, and nothing else.
    expect(readdirSync(join(back, 'blobs', 'sha256')).sort()).toEqual(
      readdirSync(join(source, 'blobs', 'sha256')).sort(),
    );
    for (const name of readdirSync(join(back, 'blobs', 'sha256'))) {
      const path = `blobs/sha256/${name}`;
      expect(readFileSync(join(back, path)).equals(readFileSync(join(source, path))), path).toBe(true);
    }
    // Without --all, one platform: the one asked for.
    expect(ok(['copy', '--platform', 'linux/arm64', `oci:${back}:app`, `oci:${fresh('one')}:x`])).toBe(
      `${manifests.arm64}\n`,
    );
  });
});

describe('usage mistakes exit 2 with one line, and write nothing', () => {
  it.each<[string, string[], RegExp]>([
    [
      '--all with --platform',
      ['copy', '--all', '--platform', 'linux/arm64', 'SRC', 'oci:DEST:x'],
      /^layerkit: copy: --all and --platform exclude each other; see 'layerkit copy --help'\n$/,
    ],
    [
      '-a with --platform (tag)',
      ['tag', '-a', '--platform', 'linux/arm64', 'SRC', 'oci:DEST:x'],
      /--all and --platform exclude each other/,
    ],
    [
      'an --annotation without =',
      ['index', '--annotation', 'novalue', 'oci:DEST:x', 'SRC'],
      /^layerkit: index: invalid --annotation "novalue": expected KEY=VALUE; see 'layerkit index --help'\n$/,
    ],
    [
      'an --annotation without a key',
      ['index', '--annotation', '=v', 'oci:DEST:x', 'SRC'],
      /invalid --annotation "=v"/,
    ],
    ['no image', ['index', 'oci:DEST:x'], /^layerkit: index: expected at least 2 arguments, got 1/],
    ['a bad --platform', ['copy', '--platform', 'linux', 'SRC', 'oci:DEST:x'], /invalid platform "linux"/],
  ])('%s', (_what, template, message) => {
    const dest = fresh('usage');
    const args = template.map((arg) => arg.replace('DEST', dest).replace('SRC', image('amd64')));
    expect(fails(args, 2)).toMatch(message);
    expect(existsSync(dest)).toBe(false);
  });
});

describe('refused operations exit 1 with one line, and leave the destination as it was', () => {
  it('two images for one platform', () => {
    const dest = fresh('duplicate');
    ok(['copy', image('armv7'), `oci:${dest}:old`]);
    const before = readFileSync(join(dest, 'index.json'));
    const stderr = fails(['index', `oci:${dest}:app`, image('amd64'), image('arm64'), image('other')], 1);
    expect(stderr).toContain(manifests.amd64);
    expect(stderr).toContain(manifests.other);
    expect(readFileSync(join(dest, 'index.json')).equals(before)).toBe(true);
  });

  it('the refusal names the platform as --platform spells it', () => {
    const stderr = fails(['index', `oci:${fresh('named')}:app`, image('amd64'), image('other')], 1);
    expect(stderr).toMatch(/^layerkit: index: two images for linux\/amd64: sha256:/);
  });

  it.each([
    [
      'index into a docker-archive',
      (file: string) => ['index', `docker-archive:${file}:example.com/app:1`, image('amd64'), image('arm64')],
    ],
    [
      'copy --all into a docker-archive',
      (file: string) => ['copy', '--all', `oci:${layout}:multi`, `docker-archive:${file}:example.com/app:1`],
    ],
  ])('%s', (_what, argsFor) => {
    const dir = fresh('docker-archive');
    ok(['copy', image('amd64'), `oci:${join(dir, 'unrelated')}:x`]);
    const before = filesBelow(dir);
    const stderr = fails(argsFor(join(dir, 'multi.tar')), 1);
    expect(stderr).toMatch(/docker-archive holds single-platform images/);
    expect(filesBelow(dir)).toEqual(before);
  });

  it('a missing image', () => {
    const dest = fresh('missing');
    expect(fails(['index', `oci:${dest}:app`, image('amd64'), `oci:${layout}:nope`], 1)).toMatch(/nope/);
    expect(existsSync(dest)).toBe(false);
  });
});

describe('help', () => {
  it('the command list names index; index --help shows usage, options and an example', () => {
    expect(ok(['--help'])).toMatch(/^ {2}index +Make a multi-platform image: an index of images/m);
    const help = ok(['index', '--help']);
    expect(help).toMatch(/^Usage: layerkit index \[OPTIONS\] DEST IMAGE\.\.\.\n/);
    expect(help).toContain('--annotation KEY=VALUE');
    expect(help).toContain('Two images of one platform are\nrefused');
    expect(help).toMatch(/layerkit index oci:images:app oci:images:app-amd64 oci:images:app-arm64/);
  });

  it('copy --help and tag --help document --all', () => {
    expect(ok(['copy', '--help'])).toMatch(/-a, --all +copy a multi-platform image whole/);
    expect(ok(['tag', '--help'])).toMatch(/-a, --all +tag a multi-platform image whole/);
  });
});
