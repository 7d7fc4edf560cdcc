/** `layerkit append`: crane append — a layer tar file on top of an image. */
import { appendLayer } from '@layerkit/image/node';
import type { Command } from '../command.js';
import {
  compressionFlag,
  deflateFlag,
  levelFlag,
  platformFlag,
  platformOf,
  registrySidesOf,
  SIDED_REGISTRY_HELP,
  sidedRegistryFlags,
  sourceDateEpoch,
  stringFlag,
} from '../flags.js';
import { progressOf } from '../progress.js';

export const appendCommand: Command = {
  name: 'append',
  summary: 'Add a layer tar (plain, gzip or zstd) on top of an image',
  usage: 'layerkit append [OPTIONS] IMAGE LAYER.tar|- DEST',
  help: `LAYER.tar is read once, from a file, a FIFO or (as -) standard input; an empty or invalid
tar is refused before anything is published.

Options:
  -a, --author string        Author of the history entry
  -m, --message string       The history entry's comment
      --created-by string    The history entry's CREATED BY
      --compression string   gzip (default), none or zstd
      --deflate string       gzip's compressor: native (default, fastest) or portable (fflate:
                             the same layer bytes, so digests, as a browser build)
      --level int            gzip level 1-9 (default 6), zstd 1-19 (default 3)
      --platform string      os/arch[/variant] of a multi-platform base
  -q, --quiet                no progress output

${SIDED_REGISTRY_HELP}

Example:
  layerkit append oci:images:nginx extra.tar.gz oci:images:nginx:extra
  tar -C ./extra -c . | layerkit append oci:images:nginx - oci:images:nginx:extra`,
  flags: {
    author: { type: 'string', short: 'a' },
    message: { type: 'string', short: 'm' },
    quiet: { type: 'boolean', short: 'q' },
    'created-by': { type: 'string' },
    compression: { type: 'string' },
    deflate: { type: 'string' },
    level: { type: 'string' },
    ...platformFlag,
    ...sidedRegistryFlags,
  },
  interruptible: true,
  positionals: { min: 3, max: 3 },
  async run([base, layer, dest], flags, out, interrupted) {
    const result = await appendLayer({
      base: base!,
      layer: layer === '-' ? process.stdin : layer!,
      onProgress: progressOf(out),
      dest: dest!,
      author: stringFlag(flags, 'author'),
      comment: stringFlag(flags, 'message'),
      createdBy: stringFlag(flags, 'created-by'),
      compression: compressionFlag(flags),
      deflate: deflateFlag(flags),
      level: levelFlag(flags, compressionFlag(flags)),
      platform: platformOf(flags),
      sourceDateEpoch: sourceDateEpoch(),
      ...registrySidesOf(flags),
      signal: interrupted,
    });
    out.line(result.imageId);
  },
};
