import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { withLayoutLock } from '../../../../packages/image/src/node/store/layout-lock.js';
import {
  openLayoutSink,
  openLayoutSource,
} from '../../../../packages/image/src/node/store/oci-layout-store.js';
import { startTicks } from '../../../fixtures/process-owners.js';
import { useScratchDir } from '../../../fixtures/scratch.js';
import { rejectionOf, tinyImage, writeTiny } from '../tiny-image.js';

const repo = resolve(import.meta.dirname, '../../../..');
const tmp = useScratchDir('store', { per: 'test' });

// Each writer process publishes layer-less images under its own tags, as fast as it can.
const WRITER = `
import { canonicalJson, MediaTypes } from '${repo}/packages/image/dist/index.js';
import { openLayoutSink } from '${repo}/packages/image/dist/node/store/oci-layout-store.js';
import { nodeRuntime } from '${repo}/packages/digest/dist/node/index.js';
const [dir, name, count] = process.argv.slice(2);
const sink = await openLayoutSink(dir);
for (let i = 0; i < Number(count); i++) {
  const configValue = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: { Env: [name + i] } };
  const config = { value: configValue, bytes: canonicalJson(configValue) };
  const configDigest = nodeRuntime.sha256().update(config.bytes).digest();
  const manifestValue = { schemaVersion: 2, mediaType: MediaTypes.ociManifest, layers: [],
    config: { mediaType: MediaTypes.ociConfig, digest: configDigest, size: config.bytes.length } };
  const manifest = { value: manifestValue, bytes: canonicalJson(manifestValue) };
  await sink.publish({ manifest, config }, { tag: name + '-' + i });
}
`;

beforeAll(() => {
  // The writer processes run the built JavaScript.
  execFileSync('pnpm', ['exec', 'tsc', '-b', 'packages/image'], { cwd: repo, stdio: 'pipe' });
}, 240_000);

describe('two processes writing one layout', () => {
  it('never lose or corrupt a tag in index.json', async () => {
    const dir = join(tmp.path, 'layout');
    const script = join(tmp.path, 'writer.mjs');
    writeFileSync(script, WRITER);
    const count = 25;
    const run = (name: string) =>
      new Promise<void>((done, fail) => {
        const child = spawn(process.execPath, [script, dir, name, String(count)], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk) => {
          stderr += chunk;
        });
        child.on('exit', (code) =>
          code === 0 ? done() : fail(new Error(`${name} exited ${code}: ${stderr}`)),
        );
      });
    await Promise.all([run('a'), run('b')]);
    const tags = await (await openLayoutSource(dir)).tags();
    const expected = ['a', 'b'].flatMap((name) => Array.from({ length: count }, (_, i) => `${name}-${i}`));
    expect(tags.sort()).toEqual(expected.sort());
    expect(readFileSync(join(dir, 'index.json'), 'utf8')).not.toContain('\n');
  });
});

describe('the layout lock', () => {
  it('breaks a lock left by a dead process', async () => {
    const dir = join(tmp.path, 'layout');
    const tiny = await tinyImage();
    const sink = await openLayoutSink(dir, 'v1');
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    writeFileSync(join(dir, 'index.json.lock'), `${dead} stale\n`);
    await writeTiny(sink, tiny);
    expect(await (await openLayoutSource(dir)).tags()).toEqual(['v1']);
  });

  it('waits for a live holder and times out with LOCK_TIMEOUT', async () => {
    const dir = tmp.path;
    writeFileSync(join(dir, 'index.json.lock'), `${process.pid} someone-else\n`);
    const error = await rejectionOf(withLayoutLock(dir, async () => 'never', { timeoutMs: 200 }));
    expect(error.code).toBe('LOCK_TIMEOUT');
  });

  it('serializes holders in one process too', async () => {
    const order: string[] = [];
    const hold = (name: string) =>
      withLayoutLock(tmp.path, async () => {
        order.push(`${name}+`);
        await new Promise((done) => setTimeout(done, 30));
        order.push(`${name}-`);
      });
    await Promise.all([hold('a'), hold('b')]);
    expect([order.join(' ')]).toContainEqual(expect.stringMatching(/^(a\+ a- b\+ b-|b\+ b- a\+ a-)$/));
  });

  it('a process whose lock write fails (a full disk) leaves no lock file: the next writer goes straight in', async () => {
    const dir = tmp.path;
    const script = join(dir, 'lock.mjs');
    writeFileSync(
      script,
      `import { withLayoutLock } from '${repo}/packages/image/dist/node/store/layout-lock.js';
      await withLayoutLock(process.argv[2], async () => {}).then(() => console.log('locked'), (error) => console.log(error.code));`,
    );
    // A file-size limit of 0: every write to a regular file fails (EFBIG), as on a full disk.
    const full = spawnSync('sh', ['-c', 'ulimit -f 0; exec "$0" "$@"', process.execPath, script, dir], {
      encoding: 'utf8',
    });
    expect(full.stdout).toBe('EFBIG\n');
    expect(readdirSync(dir)).toEqual(['lock.mjs']);
    // Well inside the 5 s an empty lock file would be trusted for.
    expect(await withLayoutLock(dir, async () => 'locked', { timeoutMs: 1_000 })).toBe('locked');
  });

  it('breaks a lock whose pid now names a process started at another time (a reused pid)', async () => {
    writeFileSync(join(tmp.path, 'index.json.lock'), `${process.pid}.${startTicks() + 1} reused\n`);
    expect(await withLayoutLock(tmp.path, async () => 'locked', { timeoutMs: 1_000 })).toBe('locked');
  });
});
