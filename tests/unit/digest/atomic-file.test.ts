import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AtomicFileWriter,
  isStaleTemporary,
  removeStaleTemporaries,
  removeStaleTemporariesOf,
  temporaryPath,
  writeFileAtomic,
} from '@layerkit/digest/internal/node';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../fixtures/error-of.js';
import { deadPid, startTicks } from '../../fixtures/process-owners.js';
import { useScratchDir } from '../../fixtures/scratch.js';
import { mountTmpfs, unmountAll } from '../../fixtures/tmpfs.js';

const scratch = useScratchDir('atomic-file', { per: 'test', beforeRemove: unmountAll });

describe('writeFileAtomic', () => {
  it('creates and replaces a file, leaving no temporary behind', () => {
    const file = join(scratch.path, 'index.json');
    writeFileAtomic(file, new TextEncoder().encode('one'));
    writeFileAtomic(file, new TextEncoder().encode('two'));
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(readdirSync(scratch.path)).toEqual(['index.json']);
  });

  it('leaves the target as it was and removes its temporary when the rename fails', () => {
    const target = join(scratch.path, 'taken');
    mkdirSync(join(target, 'child'), { recursive: true }); // a non-empty directory: rename refuses
    expect(() => writeFileAtomic(target, new Uint8Array([1, 2, 3]))).toThrow();
    expect(readdirSync(scratch.path)).toEqual(['taken']);
    expect(readdirSync(target)).toEqual(['child']);
  });

  it('says in words, naming the path, that the target is a directory (EISDIR)', () => {
    const target = join(scratch.path, 'taken');
    mkdirSync(target);
    const error = errorOf(() => writeFileAtomic(target, new Uint8Array([1])));
    expect(error.code).toBe('NOT_A_REGULAR_FILE');
    expect(error.message).toBe(`${target}: is a directory, not a file`);
    expect(error.details).toEqual({ path: target, errno: 'EISDIR' });
    expect(readdirSync(scratch.path)).toEqual(['taken']);
  });

  it('is NO_SPACE naming the file on a full file system, and leaves no temporary behind', () => {
    const full = mountTmpfs(join(scratch.path, 'full'), { sizeKiB: 64 });
    const error = errorOf(() => writeFileAtomic(join(full, 'blob'), new Uint8Array(256 * 1024)));
    expect(error.code).toBe('NO_SPACE');
    expect(error.message).toMatch(/^\S+\/full\/blob\.tmp-\S+: no space left on device while writing$/);
    expect(error.details).toMatchObject({ errno: 'ENOSPC' });
    expect(readdirSync(full)).toEqual([]);
  });

  it('is READ_ONLY_FILE_SYSTEM naming the file on a read-only mount', () => {
    const readOnly = mountTmpfs(join(scratch.path, 'ro'), { readOnly: true });
    const error = errorOf(() => writeFileAtomic(join(readOnly, 'index.json'), new Uint8Array([1])));
    expect(error.code).toBe('READ_ONLY_FILE_SYSTEM');
    expect(error.message).toMatch(/\/ro\/index\.json\.tmp-\S+: read-only file system while creating a file$/);
  });
});

describe('AtomicFileWriter', () => {
  it('fails a commit onto a directory with a typed error naming it, leaving no temporary (abort stays safe)', () => {
    const target = join(scratch.path, 'out.tar');
    mkdirSync(target);
    const writer = new AtomicFileWriter(target);
    writer.write(new Uint8Array([1]));
    expect(() => writer.commit()).toThrow(
      expect.objectContaining({
        code: 'NOT_A_REGULAR_FILE',
        message: `${target}: is a directory, not a file`,
      }),
    );
    expect(readdirSync(scratch.path)).toEqual(['out.tar']);
    writer.abort();
    expect(readdirSync(scratch.path)).toEqual(['out.tar']);
  });

  it('shows nothing at the target before commit, and abort removes everything', () => {
    const target = join(scratch.path, 'blob');
    const writer = new AtomicFileWriter(target);
    writer.write(new Uint8Array(100_000).fill(7));
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(scratch.path)).toEqual([writer.temporary.slice(scratch.path.length + 1)]);
    writer.abort();
    expect(readdirSync(scratch.path)).toEqual([]);
  });

  it('commits to a target named at the end, or keeps an existing equal file', () => {
    const first = new AtomicFileWriter(join(scratch.path, 'blob'));
    first.write(new Uint8Array([1]));
    first.commit({ target: join(scratch.path, 'named-late') });
    expect(readFileSync(join(scratch.path, 'named-late'))).toEqual(Buffer.from([1]));

    const second = new AtomicFileWriter(join(scratch.path, 'blob'));
    second.write(new Uint8Array([2]));
    second.commit({ target: join(scratch.path, 'named-late'), keepExisting: () => true });
    expect(readFileSync(join(scratch.path, 'named-late'))).toEqual(Buffer.from([1]));
    expect(readdirSync(scratch.path)).toEqual(['named-late']);
    second.abort(); // after commit: a no-op
  });
});

describe('stale temporaries', () => {
  it('names its temporaries after this process, which is alive: they are never stale', () => {
    const name = temporaryPath(join(scratch.path, 'index.json'));
    expect(name).toContain(`index.json.tmp-${process.pid}.${startTicks()}-`);
    expect(isStaleTemporary(name)).toBe(false);
  });

  it("calls a dead process's temporary stale, and a reused pid's (another start time) too", () => {
    expect(isStaleTemporary(`blob.tmp-${deadPid()}.12345-0a1b2c`)).toBe(true);
    expect(isStaleTemporary(`blob.tmp-${process.pid}.${startTicks() + 1}-0a1b2c`)).toBe(true);
  });

  it('never calls a name that is not a layerkit temporary stale', () => {
    for (const name of [
      'blob',
      'blob.tmp-',
      `blob.tmp-${deadPid()}-0a1b2c`,
      'index.json.tmp-x.1-ab',
      'sha256',
    ])
      expect(isStaleTemporary(name)).toBe(false);
  });

  it("removes a dead writer's temporaries and keeps a live writer's, other files, and directories", () => {
    const dead = `blob.tmp-${deadPid()}.777-00ff`;
    writeFileSync(join(scratch.path, dead), 'half a blob');
    mkdirSync(join(scratch.path, `dir.tmp-${deadPid()}.777-00ff`));
    writeFileSync(join(scratch.path, 'unrelated.tmp-file'), 'kept');
    const live = new AtomicFileWriter(join(scratch.path, 'blob'));
    try {
      expect(removeStaleTemporaries(scratch.path)).toEqual([{ path: join(scratch.path, dead), size: 11 }]);
      expect(existsSync(live.temporary)).toBe(true);
      expect(readdirSync(scratch.path).sort()).toHaveLength(3);
    } finally {
      live.abort();
    }
    expect(removeStaleTemporaries(join(scratch.path, 'missing'))).toEqual([]);
  });
});

describe('removeStaleTemporariesOf', () => {
  it("removes a dead writer's files and directories beside one target; keeps a live one's and other targets'", () => {
    const target = join(scratch.path, '.rootfs');
    const deadFile = `${target}.unpack-${deadPid()}.777-00ff`;
    const deadDir = `${target}.unpack-${deadPid()}.777-11ee`;
    const live = `${target}.unpack-${process.pid}.${startTicks()}-22dd`;
    const other = join(scratch.path, `.other.unpack-${deadPid()}.777-33cc`);
    writeFileSync(deadFile, 'half');
    for (const dir of [deadDir, live, other]) mkdirSync(join(dir, 'rootfs', 'etc'), { recursive: true });
    const removed = removeStaleTemporariesOf(target, '.unpack-').map(({ path }) => path);
    expect(removed.sort()).toEqual([deadDir, deadFile].sort());
    expect(readdirSync(scratch.path).sort()).toEqual(
      [live, other].map((path) => path.slice(scratch.path.length + 1)).sort(),
    );
  });
});
