/**
 * zstd layers (`application/vnd.oci.image.layer.v1.tar+zstd`) through the built CLI: read by every
 * command on every supported Node (node:zlib from 22.15, fzstd before), written with
 * `--compression zstd` where node:zlib has an encoder; elsewhere the writing commands fail with
 * `UNSUPPORTED_COMPRESSION` naming the Node version needed and the one running, leaving the
 * destination as it was.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useScratchDir } from '../fixtures/scratch.js';
import { NODE_HAS_ZSTD_ENCODER } from '../fixtures/zstd-encoder.js';
import { zstdStored } from '../fixtures/zstd-frames.js';
import { buildCli, bytesOf, EPOCH, layerkit, ok, readImage, text, writeTree } from './cli.js';

const ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

const work = useScratchDir('cli-zstd');
const env = { SOURCE_DATE_EPOCH: String(EPOCH) };
const run = (args: string[]) => ok(args, { cwd: work.path, env });
let layout: string;

/**
 * Rewrites the image `from` of `layout` (plain tar layers) as `to`, every layer a zstd frame of
 * raw blocks: zstd that any decoder reads, made without an encoder (Node 20 has none).
 */
function zstdCopy(from: string, to: string): void {
  const blobPath = (digest: string) => join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length));
  const putBlob = (bytes: Uint8Array) => {
    const digest = sha256(bytes);
    writeFileSync(blobPath(digest), bytes);
    return { digest, size: bytes.length };
  };
  const image = readImage(layout, from);
  const layers = image.manifest.layers.map((layer) => ({
    mediaType: ZSTD,
    ...putBlob(zstdStored(readFileSync(blobPath(layer.digest)))),
  }));
  const manifest = putBlob(Buffer.from(JSON.stringify({ ...image.manifest, layers })));
  const indexPath = join(layout, 'index.json');
  const index = JSON.parse(text(indexPath));
  index.manifests.push({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    ...manifest,
    annotations: { 'org.opencontainers.image.ref.name': to },
  });
  writeFileSync(indexPath, JSON.stringify(index));
}

beforeAll(() => {
  buildCli();
  layout = join(work.path, 'images');
  writeTree(join(work.path, 'base-rootfs'), {
    'etc/hostname': 'base\n',
    'usr/bin/tool': { content: bytesOf(1, 300_000), mode: 0o755 },
  });
  writeTree(join(work.path, 'extra'), { 'opt/extra.txt': 'extra\n' });
  run(['import', '--compression', 'none', 'base-rootfs', `oci:${layout}:plain`]);
  run(['layer', '--compression', 'none', 'extra', '-o', 'extra.tar']);
  run(['append', '--compression', 'none', `oci:${layout}:plain`, 'extra.tar', `oci:${layout}:plain2`]);
  zstdCopy('plain2', 'zstd');
  run(['unpack', `oci:${layout}:plain2`, 'commit-source']);
  writeFileSync(join(work.path, 'commit-source/etc/hostname'), 'committed\n');
});

describe('reading zstd layers (every Node)', () => {
  const image = () => `oci:${layout}:zstd`;

  it('the image has two tar+zstd layers', () => {
    expect(readImage(layout, 'zstd').manifest.layers.map((l) => l.mediaType)).toEqual([ZSTD, ZSTD]);
  });

  it('verify checks every layer against its DiffID', () => {
    const out = run(['verify', image()]);
    expect(out.split('\n').filter((line) => line.startsWith('ok  layer'))).toHaveLength(2);
  });

  it('unpack gives the tree the plain image gives', () => {
    run(['unpack', image(), 'from-zstd']);
    run(['unpack', `oci:${layout}:plain2`, 'from-plain']);
    expect(run(['diff', '--mode', 'content', 'from-plain', 'from-zstd'])).toBe('');
    expect(text(join(work.path, 'from-zstd/opt/extra.txt'))).toBe('extra\n');
  });

  it('history shows the uncompressed sizes, as for the plain image', () => {
    expect(run(['history', '--no-trunc', image()])).toBe(
      run(['history', '--no-trunc', `oci:${layout}:plain2`]),
    );
  });

  it('diff of the image against a directory reads its layers', () => {
    expect(run(['diff', image(), 'from-plain'])).toBe('');
  });

  it('copy to oci-archive and docker-archive keeps the zstd bytes; both read back', () => {
    run(['copy', image(), 'oci-archive:zstd.oci.tar:v1']);
    run(['copy', image(), 'docker-archive:zstd.docker.tar:zstd:v1']);
    const digests = readImage(layout, 'zstd').manifest.layers.map((l) => l.digest);
    for (const archive of ['oci-archive:zstd.oci.tar:v1', 'docker-archive:zstd.docker.tar:zstd:v1']) {
      expect(
        run(['verify', archive])
          .split('\n')
          .filter((line) => line.startsWith('ok  layer')),
      ).toHaveLength(2);
      const manifest = JSON.parse(run(['inspect', '--type', 'manifest', archive])) as {
        layers: { digest: string; mediaType: string }[];
      };
      expect(manifest.layers.map((l) => l.digest)).toEqual(digests);
    }
  });

  it('append on top keeps the base zstd layers as they are', () => {
    run(['append', image(), 'extra.tar', `oci:${layout}:appended`]);
    const appended = readImage(layout, 'appended').manifest.layers;
    expect(appended.slice(0, 2)).toEqual(readImage(layout, 'zstd').manifest.layers);
    expect(appended[2]?.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
  });

  it('commit on top of it keeps the base zstd layers as they are', () => {
    run(['unpack', image(), 'commit-rootfs']);
    writeFileSync(join(work.path, 'commit-rootfs/etc/hostname'), 'changed\n');
    run(['commit', image(), 'commit-rootfs', `oci:${layout}:committed`]);
    expect(readImage(layout, 'committed').manifest.layers.slice(0, 2)).toEqual(
      readImage(layout, 'zstd').manifest.layers,
    );
  });

  it('append reads a layer tar file that is zstd', () => {
    writeFileSync(join(work.path, 'extra.tar.zst'), zstdStored(readFileSync(join(work.path, 'extra.tar'))));
    run([
      'append',
      '--compression',
      'none',
      `oci:${layout}:plain`,
      'extra.tar.zst',
      `oci:${layout}:from-zst-file`,
    ]);
    expect(readImage(layout, 'from-zst-file').config.rootfs.diff_ids).toEqual(
      readImage(layout, 'plain2').config.rootfs.diff_ids,
    );
  });
});

/** Each command with `--compression`: its arguments after `--compression zstd`, writing `name`. */
const WRITER_ARGS: Record<string, (name: string) => string[]> = {
  import: (name) => ['base-rootfs', `oci:${layout}:${name}`],
  append: (name) => [`oci:${layout}:plain`, 'extra.tar', `oci:${layout}:${name}`],
  commit: (name) => [`oci:${layout}:plain`, 'commit-source', `oci:${layout}:${name}`],
  layer: (name) => ['extra', '-o', `${name}.tar.zst`],
};
const writers = Object.entries(WRITER_ARGS).map(
  ([command, rest]) =>
    [command, (name: string) => [command, '--compression', 'zstd', ...rest(name)]] as const,
);

describe.runIf(NODE_HAS_ZSTD_ENCODER)(
  `writing zstd on Node ${process.versions.node} (node:zlib has an encoder)`,
  () => {
    it.each(writers)('%s --compression zstd writes tar+zstd, the same bytes every time', (command, args) => {
      run(args(`${command}-a`));
      run(args(`${command}-b`));
      if (command === 'layer') {
        const a = readFileSync(join(work.path, 'layer-a.tar.zst'));
        expect(a.equals(readFileSync(join(work.path, 'layer-b.tar.zst')))).toBe(true);
        // Frame header: magic, then a descriptor with the checksum flag and no content size.
        expect([...a.subarray(0, 5)]).toEqual([0x28, 0xb5, 0x2f, 0xfd, 0b0000_0100]);
        return;
      }
      const [a, b] = [readImage(layout, `${command}-a`), readImage(layout, `${command}-b`)];
      expect(a.manifest.layers.at(-1)?.mediaType).toBe(ZSTD);
      expect(a.manifestDigest).toBe(b.manifestDigest);
      expect(run(['verify', `oci:${layout}:${command}-a`])).not.toContain('BAD');
    });

    it('an image written with zstd unpacks to its source tree', () => {
      run(['import', '--compression', 'zstd', 'base-rootfs', `oci:${layout}:imported-zstd`]);
      run(['unpack', `oci:${layout}:imported-zstd`, 'imported-zstd-rootfs']);
      expect(run(['diff', '--mode', 'content', 'base-rootfs', 'imported-zstd-rootfs'])).toBe('');
    });

    it('--level picks the zstd level (1-19)', () => {
      run(['import', '--compression', 'zstd', '--level', '19', 'base-rootfs', `oci:${layout}:zstd-19`]);
      run(['import', '--compression', 'zstd', 'base-rootfs', `oci:${layout}:zstd-3`]);
      const size = (tag: string) => readImage(layout, tag).manifest.layers[0]?.size ?? 0;
      expect(size('zstd-19')).toBeLessThan(size('zstd-3'));
      const bad = layerkit(
        ['import', '--compression', 'zstd', '--level', '20', 'base-rootfs', `oci:${layout}:zstd-20`],
        { cwd: work.path, env },
      );
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('invalid --level "20": expected 1 to 19');
    });
  },
);

describe.runIf(!NODE_HAS_ZSTD_ENCODER)(
  `writing zstd on Node ${process.versions.node} (no encoder in node:zlib)`,
  () => {
    it.each(writers)(
      '%s --compression zstd fails, naming Node 22.15 and this Node, and writes nothing',
      (command, args) => {
        const before = existsSync(join(layout, 'index.json')) ? text(join(layout, 'index.json')) : '';
        const result = layerkit(args(`${command}-refused`), { cwd: work.path, env });
        expect(result.status).toBe(1);
        expect(result.stderr).toContain('zstd compression is not supported');
        expect(result.stderr).toContain(
          `Node ${process.versions.node} has no zstd encoder (added in Node 22.15)`,
        );
        expect(text(join(layout, 'index.json'))).toBe(before);
        expect(existsSync(join(work.path, `${command}-refused.tar.zst`))).toBe(false);
      },
    );
  },
);
