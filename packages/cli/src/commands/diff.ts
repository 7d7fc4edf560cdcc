/** `layerkit diff`: docker diff, offline — an image (or a directory) against a directory. */
import {
  type Change,
  type DiffStats,
  type DockerChange,
  diffTrees,
  dockerChange,
  formatDockerDiff,
  toEngineApiJson,
} from '@layerkit/diff';
import { directoryTree, upperdirChanges } from '@layerkit/diff/node';
import { diffImage } from '@layerkit/image/node';
import type { Command } from '../command.js';
import { diffStatsJson, diffStatsLines } from '../diff-stats-text.js';
import {
  modeFlag,
  platformFlag,
  platformOf,
  REGISTRY_HELP,
  registryFlags,
  registryOptionsOf,
  stringFlag,
} from '../flags.js';
import { UsageError } from '../usage-error.js';

/** True when an argument names an image (`oci:…`, `oci-archive:…`, `docker-archive:…`). */
export function isImageArgument(text: string): boolean {
  return /^(?:oci|oci-archive|docker-archive):|^docker:\/\//.test(text);
}

async function collect(changes: AsyncIterable<Change>): Promise<DockerChange[]> {
  const all: DockerChange[] = [];
  for await (const change of changes) all.push(dockerChange(change));
  return all;
}

export const diffCommand: Command = {
  name: 'diff',
  summary: 'List the changes between an image (or a directory) and a directory, like docker diff',
  usage:
    'layerkit diff [OPTIONS] IMAGE|DIR_A DIR_B\n       layerkit diff [OPTIONS] --upperdir UPPER [LOWER_DIR]',
  help: `Prints one line per change: A (added), C (changed) or D (deleted) and the absolute path.

Options:
      --format string     text (default) or json ([{"Path": "/x", "Kind": 0|1|2}] as the Engine API)
      --mode string       change detection: auto (default), metadata or content
      --upperdir string   read the changes of an overlayfs upperdir (whiteouts: char 0/0)
      --stats             also print what the diff cost to stderr: entries walked, paths compared
                          by recorded stat, metadata and content, bytes read, walk/compare/hash
                          times (one JSON line {"stats": {…}} with --format json)
      --platform string   os/arch[/variant] of a multi-platform image


${REGISTRY_HELP}

Example:
  layerkit diff oci:images:nginx ./webserver`,
  flags: {
    format: { type: 'string' },
    mode: { type: 'string' },
    upperdir: { type: 'string' },
    stats: { type: 'boolean' },
    ...platformFlag,
    ...registryFlags,
  },
  positionals: { min: 0, max: 2 },
  async run(args, flags, out, interrupted) {
    const format = stringFlag(flags, 'format') ?? 'text';
    if (format !== 'text' && format !== 'json')
      throw new UsageError(`invalid --format "${format}": expected text or json`);
    const mode = modeFlag(flags);
    const upperdir = stringFlag(flags, 'upperdir');
    const wantStats = flags.stats === true;
    let stats: DiffStats | undefined;
    let changes: DockerChange[];
    if (upperdir !== undefined) {
      if (wantStats) throw new UsageError('--stats compares two trees: it does not apply to --upperdir');
      if (args.length > 1) throw new UsageError('--upperdir takes at most one LOWER_DIR argument');
      const lower = args[0] === undefined ? undefined : directoryTree(args[0]);
      changes = await collect(upperdirChanges(upperdir, lower));
    } else {
      if (args.length !== 2) throw new UsageError('expected IMAGE|DIR_A and DIR_B');
      const [from, to] = args as [string, string];
      if (isImageArgument(from)) {
        changes = await diffImage(from, to, {
          mode,
          platform: platformOf(flags),
          registry: registryOptionsOf(flags),
          signal: interrupted,
          onWarning: (warning) => out.warn(warning),
          onStats: wantStats ? (counted) => (stats = counted) : undefined,
        });
      } else {
        const stream = diffTrees(directoryTree(from), directoryTree(to), { mode, timing: wantStats });
        changes = await collect(stream);
        if (wantStats) stats = stream.stats;
      }
    }
    if (format === 'json') out.line(JSON.stringify(toEngineApiJson(changes)));
    else if (changes.length > 0) out.line(formatDockerDiff(changes).replace(/\n$/, ''));
    if (stats === undefined) return;
    if (format === 'json') out.note(diffStatsJson(stats));
    else for (const line of diffStatsLines(stats)) out.note(line);
  },
};
