/**
 * The archive writer's temporary file: a rename that fails (the archive's path is a directory)
 * is a typed error naming the path and leaves no temporary archive behind; a new writer of an
 * archive removes the temporary archives dead writers left beside it, never a live writer's.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { convert } from '@layerkit/image/node';
import { describe, expect, it } from 'vitest';
import { ArchiveFileWriter } from '../../../../packages/image/src/node/store/archive-file-writer.js';
import { openLayoutSink } from '../../../../packages/image/src/node/store/oci-layout-store.js';
import { deadPid, startTicks } from '../../../fixtures/process-owners.js';
import { useScratchDir } from '../../../fixtures/scratch.js';
import { rejectionOf, tinyImage, writeTiny } from '../tiny-image.js';

const scratch = useScratchDir('archive-file-writer', { per: 'test' });

async function tinyLayout(): Promise<string> {
  const dir = join(scratch.path, 'layout');
  const sink = await openLayoutSink(dir, 'v1');
  await writeTiny(sink, await tinyImage());
  await sink.close();
  return dir;
}

describe('an archive whose path is a directory', () => {
  it.each(['oci-archive', 'docker-archive'])(
    '%s: the rename fails with a typed error naming the path, and no temporary archive is left',
    async (transport) => {
      const layout = await tinyLayout();
      const out = join(scratch.path, 'out.tar');
      mkdirSync(out);
      const tag = transport === 'docker-archive' ? ':example.com/app:1' : ':v1';
      const error = await rejectionOf(convert(`oci:${layout}:v1`, `${transport}:${out}${tag}`));
      expect(error).toMatchObject({ code: 'NOT_A_REGULAR_FILE', details: { path: out } });
      expect(error.message).toContain(out);
      expect(readdirSync(scratch.path).sort()).toEqual(['layout', 'out.tar']);
      expect(readdirSync(out)).toEqual([]);
    },
  );

  it('ArchiveFileWriter.abort after a failed commit removes the temporary archive', () => {
    const out = join(scratch.path, 'out.tar');
    mkdirSync(out);
    const archive = new ArchiveFileWriter(out);
    archive.file('oci-layout', new Uint8Array(3));
    expect(() => archive.commit()).toThrow(out);
    archive.abort();
    expect(readdirSync(scratch.path)).toEqual(['out.tar']);
  });
});

describe("dead writers' temporary archives", () => {
  it('are removed by the next writer of the same archive; a live writer keeps its own', async () => {
    const layout = await tinyLayout();
    const out = join(scratch.path, 'out.tar');
    const dead = `${out}.tmp-${deadPid()}.777-00ff`;
    const other = join(scratch.path, `other.tar.tmp-${deadPid()}.777-00ff`);
    const live = spawn('sleep', ['60']);
    try {
      const owned = `${out}.tmp-${live.pid}.${startTicks(live.pid!)}-0a0b`;
      for (const file of [dead, other, owned]) writeFileSync(file, 'half an archive');
      await convert(`oci:${layout}:v1`, `oci-archive:${out}:v1`);
      expect(existsSync(dead)).toBe(false);
      expect(existsSync(owned)).toBe(true); // its writer still runs
      expect(existsSync(other)).toBe(true); // another archive's: not this writer's business
      expect(existsSync(out)).toBe(true);
    } finally {
      live.kill();
    }
  });
});
