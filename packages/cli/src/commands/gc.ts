/** `layerkit gc`: remove the blobs of an OCI layout that no tag reaches, and dead writers' temporary files. */
import { parseImageReference } from '@layerkit/image';
import { gcLayout } from '@layerkit/image/node';
import type { Command } from '../command.js';
import { formatBytes } from '../progress.js';
import { UsageError } from '../usage-error.js';

export const gcCommand: Command = {
  name: 'gc',
  summary: 'Delete unreferenced blobs and unfinished writes from an OCI layout directory',
  usage: 'layerkit gc DIR|oci:DIR',
  help: `Example:
  layerkit gc images`,
  flags: {},
  positionals: { min: 1, max: 1 },
  async run([target], _flags, out) {
    const { removed, removedTemporaries, removedBytes } = await gcLayout(layoutDirectory(target!));
    for (const digest of removed) out.line(`deleted: ${digest}`);
    for (const path of removedTemporaries) out.line(`deleted unfinished write: ${path}`);
    out.line(`Total reclaimed space: ${formatBytes(removedBytes)}`);
  },
};

/**
 * The layout directory `target` names: a bare DIR, or `oci:DIR` as every other command spells
 * it. A tag or another transport is refused: gc works on a whole layout's blobs.
 */
function layoutDirectory(target: string): string {
  if (!/^(oci|oci-archive|docker-archive|docker):/.test(target)) return target;
  const reference = parseImageReference(target);
  if (reference.transport !== 'oci') {
    throw new UsageError(
      `gc works on an OCI layout directory, not ${reference.transport}: give DIR or oci:DIR`,
    );
  }
  if (reference.tag !== undefined) {
    throw new UsageError(
      `gc works on a whole layout, not one tag: give oci:${reference.path} without :${reference.tag}`,
    );
  }
  return reference.path;
}
