import { writeFileSync } from 'node:fs';
import { pack } from 'tar-stream';

/** One member of a hand-made archive. */
export type Member =
  | { name: string; content: string | Uint8Array }
  | { name: string; symlink: string }
  | { name: string; directory: true };

/** Writes an uncompressed tar with exactly these members (tar-stream: an independent writer). */
export async function writeArchive(path: string, members: readonly Member[]): Promise<void> {
  const archive = pack();
  for (const member of members) {
    if ('symlink' in member) archive.entry({ name: member.name, type: 'symlink', linkname: member.symlink });
    else if ('directory' in member) archive.entry({ name: member.name, type: 'directory' });
    else archive.entry({ name: member.name }, Buffer.from(member.content));
  }
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  writeFileSync(path, Buffer.concat(chunks));
}
