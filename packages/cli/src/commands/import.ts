/** `layerkit import`: docker import of a directory — a one-layer image from scratch. */
import { importRootfs } from '@layerkit/image/node';
import type { Command } from '../command.js';
import {
  compressionFlag,
  deflateFlag,
  layerFlags,
  levelFlag,
  listFlag,
  platformFlag,
  platformOf,
  REGISTRY_HELP,
  registryFlags,
  registryOptionsOf,
  sourceDateEpoch,
  stringFlag,
} from '../flags.js';
import { progressOf } from '../progress.js';

export const importCommand: Command = {
  name: 'import',
  summary: 'Create a one-layer image from a root filesystem directory, like docker import',
  usage: 'layerkit import [OPTIONS] DIR DEST',
  help: `Options:
  -c, --change list          Apply a Dockerfile instruction to the config; repeatable
  -m, --message string       The history entry's comment
      --compression string   gzip (default), none or zstd
      --deflate string       gzip's compressor: native (default, fastest) or portable (fflate:
                             the same layer bytes, so digests, as a browser build)
      --level int            gzip level 1-9 (default 6), zstd 1-19 (default 3)
      --platform string      os/arch[/variant] recorded in the config (default: this machine's)
  -q, --quiet                no progress output


${REGISTRY_HELP}

Example:
  layerkit import -c 'CMD ["/bin/sh"]' ./rootfs oci:images:base`,
  flags: {
    change: { type: 'string', short: 'c', multiple: true },
    message: { type: 'string', short: 'm' },
    ...layerFlags,
    ...platformFlag,
    ...registryFlags,
  },
  interruptible: true,
  positionals: { min: 2, max: 2 },
  async run([rootfs, dest], flags, out, interrupted) {
    const result = await importRootfs({
      rootfs: rootfs!,
      dest: dest!,
      changes: listFlag(flags, 'change'),
      comment: stringFlag(flags, 'message'),
      compression: compressionFlag(flags),
      deflate: deflateFlag(flags),
      level: levelFlag(flags, compressionFlag(flags)),
      platform: platformOf(flags),
      sourceDateEpoch: sourceDateEpoch(),
      onProgress: progressOf(out),
      onWarning: (message) => out.warn(message),
      registry: registryOptionsOf(flags),
      signal: interrupted,
    });
    out.line(result.imageId);
  },
};
