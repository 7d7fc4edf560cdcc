/**
 * `scanTarMembers` (seeking index) agrees with `readTar` (streaming) on every header, and its
 * body offsets point at exactly the bytes `readTar` yields; truncation is a typed error.
 */
import { MemoryTree, pathFromUtf8, readTar, type TarHeader, writeLayerTar } from '@layerkit/diff';
import { scanTarMembers } from '@layerkit/diff/internal';
import { describe, expect, it } from 'vitest';

async function layerBytes(): Promise<Uint8Array> {
  const tree = MemoryTree.fromSpecs([
    { path: 'etc/hostname', content: 'box\n' },
    { path: `opt/${'long-name/'.repeat(20)}file`, content: 'x'.repeat(1000) },
    { path: 'usr/bin/tool', content: new Uint8Array(70_000).fill(7), mode: 0o4755, uid: 3_000_000 },
    { path: 'usr/bin/link', type: 'symlink', linkTarget: pathFromUtf8('tool') },
  ]);
  const parts: Uint8Array[] = [];
  const entries = (async function* () {
    for await (const entry of tree.entries()) yield { kind: 'entry' as const, entry };
  })();
  for await (const chunk of writeLayerTar(entries)) parts.push(chunk);
  return Buffer.concat(parts);
}

function readAtOf(bytes: Uint8Array) {
  return (into: Uint8Array, position: number) => {
    const part = bytes.subarray(position, position + into.length);
    into.set(part);
    return part.length;
  };
}

describe('scanTarMembers', () => {
  it('yields the headers readTar yields, with body offsets pointing at the same bytes', async () => {
    const bytes = await layerBytes();
    const streamed: Array<{ header: TarHeader; body: Uint8Array }> = [];
    for await (const entry of readTar(
      (async function* () {
        yield bytes;
      })(),
    )) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of entry.body) chunks.push(new Uint8Array(chunk));
      streamed.push({ header: entry.header, body: Buffer.concat(chunks) });
    }
    const scanned = [...scanTarMembers(readAtOf(bytes), bytes.length)];
    expect(scanned.map((m) => m.header)).toEqual(streamed.map((e) => e.header));
    for (const [i, member] of scanned.entries()) {
      const body = bytes.subarray(member.bodyOffset, member.bodyOffset + member.header.size);
      expect(Buffer.from(body)).toEqual(Buffer.from(streamed[i]!.body));
    }
    expect(scanned.some((m) => m.header.name.length > 100)).toBe(true);
  });

  it('refuses an archive cut inside a body with TAR_TRUNCATED naming the entry', async () => {
    const bytes = await layerBytes();
    const cut = bytes.subarray(0, 1536 + 100);
    expect(() => [...scanTarMembers(readAtOf(cut), cut.length)]).toThrowError(
      expect.objectContaining({ code: 'TAR_TRUNCATED' }) as unknown as Error,
    );
  });
});
