/** `layerkit gc`: remove the blobs of an OCI layout that no tag reaches, and dead writers' temporary files. */
import { gcLayout } from '@layerkit/image/node';
import type { Command } from '../command.js';
import { formatBytes } from '../progress.js';

export const gcCommand: Command = {
  name: 'gc',
  summary: 'Delete unreferenced blobs and unfinished writes from an OCI layout directory',
  usage: 'layerkit gc DIR',
  help: `Example:
  layerkit gc images`,
  flags: {},
  positionals: { min: 1, max: 1 },
  async run([dir], _flags, out) {
    const { removed, removedTemporaries, removedBytes } = await gcLayout(dir!);
    for (const digest of removed) out.line(`deleted: ${digest}`);
    for (const path of removedTemporaries) out.line(`deleted unfinished write: ${path}`);
    out.line(`Total reclaimed space: ${formatBytes(removedBytes)}`);
  },
};
