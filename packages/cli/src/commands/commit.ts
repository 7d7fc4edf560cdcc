/** `layerkit commit`: docker commit, offline. Prints the new image ID like Docker. */
import type { DiffStats } from '@layerkit/diff';
import { commit } from '@layerkit/image/node';
import type { Command } from '../command.js';
import { diffStatsLines } from '../diff-stats-text.js';
import {
  compressionFlag,
  deflateFlag,
  layerFlags,
  levelFlag,
  listFlag,
  modeFlag,
  platformFlag,
  platformOf,
  registrySidesOf,
  SIDED_REGISTRY_HELP,
  sidedRegistryFlags,
  sourceDateEpoch,
  stringFlag,
} from '../flags.js';
import { progressOf } from '../progress.js';

export const commitCommand: Command = {
  name: 'commit',
  summary: "Create a new image from a root filesystem's changes against its base image",
  usage: 'layerkit commit [OPTIONS] IMAGE DIR DEST',
  help: `Options:
  -a, --author string        Author (e.g. "Tao Wang <twang2218@gmail.com>")
  -m, --message string       Commit message (the history entry's comment)
  -c, --change list          Apply a Dockerfile instruction to the config (CMD, ENTRYPOINT, ENV,
                             EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR); repeatable
      --created-by string    The history entry's CREATED BY (default: the base image's Cmd)
      --compression string   gzip (default), none or zstd
      --deflate string       gzip's compressor: native (default, fastest) or portable (fflate:
                             the same layer bytes, so digests, as a browser build)
      --level int            gzip level 1-9 (default 6), zstd 1-19 (default 3)
      --mode string          change detection: auto (default), metadata or content
      --squash               make the result a single layer holding the whole DIR
      --platform string      os/arch[/variant] of a multi-platform base
      --stats                also print what the diff behind the layer cost to stderr (entries
                             walked, paths compared, bytes read, walk/compare/hash times)
  -q, --quiet                no progress output

SOURCE_DATE_EPOCH, when set, fixes the created times and clamps file mtimes.


${SIDED_REGISTRY_HELP}

Example:
  layerkit commit -a "Tao Wang <twang2218@gmail.com>" -m "修改了默认网页" \\
      oci:images:nginx ./webserver oci:images:nginx:v2`,
  flags: {
    author: { type: 'string', short: 'a' },
    message: { type: 'string', short: 'm' },
    change: { type: 'string', short: 'c', multiple: true },
    'created-by': { type: 'string' },
    squash: { type: 'boolean' },
    stats: { type: 'boolean' },
    ...layerFlags,
    ...platformFlag,
    ...sidedRegistryFlags,
  },
  interruptible: true,
  positionals: { min: 3, max: 3 },
  async run([base, rootfs, dest], flags, out, interrupted) {
    const epoch = sourceDateEpoch();
    let stats: DiffStats | undefined;
    const result = await commit({
      base: base!,
      rootfs: rootfs!,
      dest: dest!,
      author: stringFlag(flags, 'author'),
      comment: stringFlag(flags, 'message'),
      createdBy: stringFlag(flags, 'created-by'),
      changes: listFlag(flags, 'change'),
      compression: compressionFlag(flags),
      deflate: deflateFlag(flags),
      level: levelFlag(flags, compressionFlag(flags)),
      mode: modeFlag(flags),
      squash: flags.squash === true,
      platform: platformOf(flags),
      sourceDateEpoch: epoch,
      onProgress: progressOf(out),
      onWarning: (message) => out.warn(message),
      onDiffStats: flags.stats === true ? (counted) => (stats = counted) : undefined,
      ...registrySidesOf(flags),
      signal: interrupted,
    });
    out.line(result.imageId);
    if (stats !== undefined) for (const line of diffStatsLines(stats)) out.note(line);
  },
};
