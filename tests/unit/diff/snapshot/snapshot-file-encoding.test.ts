/**
 * recordSnapshot and encodeSnapshot share one encoder: the file recordSnapshot writes holds
 * exactly the bytes encodeSnapshot gives for the same records, also when it is written in
 * several chunks.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSnapshot, type SnapshotRecord, snapshotRecordOf } from '@layerkit/diff';
import { directoryTree, recordSnapshot } from '@layerkit/diff/node';
import type { Digest } from '@layerkit/digest';
import { AtomicFileWriter } from '@layerkit/digest/internal/node';
import { describe, expect, it, vi } from 'vitest';
import { useScratchDir } from '../../../fixtures/scratch.js';
import { makeRootfs } from '../disk-fixtures.js';

const root = useScratchDir('snapshot-file-encoding', { per: 'test' });

/** The records of `dir` as recordSnapshot makes them: each walked entry, files with their sha256. */
async function recordsOf(dir: string): Promise<SnapshotRecord[]> {
  const records: SnapshotRecord[] = [];
  for (const entry of directoryTree(dir).entriesSync()) {
    if (entry.type === 'file') {
      const hash = createHash('sha256');
      for await (const chunk of entry.content!()) hash.update(chunk);
      entry.contentDigest = `sha256:${hash.digest('hex')}` as Digest;
    }
    records.push(snapshotRecordOf(entry));
  }
  return records;
}

async function encodedChunks(records: SnapshotRecord[]): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of encodeSnapshot(records)) chunks.push(chunk);
  return chunks;
}

/** Records `dir` into a snapshot file; returns its bytes and the sizes of the writes. */
function recorded(dir: string): { bytes: Buffer; writes: number[] } {
  const writes: number[] = [];
  const write = AtomicFileWriter.prototype.write;
  const spy = vi.spyOn(AtomicFileWriter.prototype, 'write').mockImplementation(function (
    this: AtomicFileWriter,
    b,
  ) {
    writes.push(b.length);
    write.call(this, b);
  });
  const file = join(root.path, 'snapshot');
  try {
    recordSnapshot(dir, file);
  } finally {
    spy.mockRestore();
  }
  return { bytes: readFileSync(file), writes };
}

describe('recordSnapshot writes what encodeSnapshot encodes', () => {
  it('for a rootfs of every entry type', async () => {
    const dir = join(root.path, 'rootfs');
    mkdirSync(dir);
    makeRootfs(dir);
    const { bytes, writes } = recorded(dir);
    const chunks = await encodedChunks(await recordsOf(dir));
    expect(writes).toEqual(chunks.map((c) => c.length));
    expect(bytes).toEqual(Buffer.concat(chunks));
  });

  it('for an empty directory: the header alone', async () => {
    const dir = join(root.path, 'empty');
    mkdirSync(dir);
    const { bytes } = recorded(dir);
    expect(bytes).toEqual(Buffer.concat(await encodedChunks([])));
  });

  it('for a snapshot past 64 KiB, written in the same several chunks', async () => {
    const dir = join(root.path, 'many');
    mkdirSync(dir);
    for (let i = 0; i < 900; i++) writeFileSync(join(dir, `file-with-a-longish-name-${i}`), `content ${i}`);
    const { bytes, writes } = recorded(dir);
    const chunks = await encodedChunks(await recordsOf(dir));
    expect(bytes.length).toBeGreaterThan(2 * 64 * 1024);
    expect(chunks.length).toBeGreaterThan(2);
    expect(writes).toEqual(chunks.map((c) => c.length));
    expect(bytes).toEqual(Buffer.concat(chunks));
  });
});
