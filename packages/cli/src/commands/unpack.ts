/** `layerkit unpack`: an image's root filesystem on disk (what `docker run` starts from). */
import { pathToUtf8, ROOT_ENTRY_SKIPPED, type SkippedEntry } from '@layerkit/image';
import { unpack } from '@layerkit/image/node';
import type { Command, FlagValues } from '../command.js';
import { platformFlag, platformOf, REGISTRY_HELP, registryFlags, registryOptionsOf } from '../flags.js';
import { progressOf } from '../progress.js';
import { UsageError } from '../usage-error.js';

/** Paths a grouped warning names before it counts the rest. */
const PATHS_SHOWN = 5;

/** `--devices` / `--no-devices`: undefined (the default: create them where permitted) unless one is given. */
function devicesOf(flags: FlagValues): boolean | undefined {
  const skip = flags['no-devices'] === true;
  if (skip && flags.devices === true) throw new UsageError('--devices and --no-devices exclude each other');
  return skip ? false : (flags.devices as boolean | undefined);
}

/**
 * One warning per reason, in the order the reasons first occur, naming the first few paths
 * (a rootless unpack of a Debian rootfs is one line about its device nodes, not one each).
 */
function skippedWarnings(skipped: readonly SkippedEntry[]): string[] {
  const byReason = new Map<string, string[]>();
  for (const { path, reason } of skipped) {
    const paths = byReason.get(reason) ?? [];
    paths.push(`/${pathToUtf8(path)}`);
    byReason.set(reason, paths);
  }
  return [...byReason].map(([reason, paths]) => {
    if (paths.length === 1) return `skipped ${paths[0]}: ${reason}`;
    const more = paths.length > PATHS_SHOWN ? `, … (${paths.length - PATHS_SHOWN} more)` : '';
    return `skipped ${paths.length} entries: ${reason}: ${paths.slice(0, PATHS_SHOWN).join(', ')}${more}`;
  });
}

export const unpackCommand: Command = {
  name: 'unpack',
  summary: "Unpack an image's layers into a new root filesystem directory",
  usage: 'layerkit unpack [OPTIONS] IMAGE DIR',
  help: `DIR must not exist. A snapshot of the result is kept beside it (.DIR.layerkit/), so a later
'layerkit diff' or 'layerkit commit' of DIR only stats files instead of reading them.
Hostile layers are refused: nothing is ever written outside DIR.
DIR gets the mode, owner and time the layers give the root ('./'), or mode 0755.

Device nodes and FIFOs are created, as 'tar -x' does: device nodes need root (CAP_MKNOD);
without it they are skipped with one warning. A later 'layerkit commit' of DIR writes no
whiteout for what the unpack skipped: the image keeps it (--squash writes DIR as it is).

Options:
      --devices           create device nodes and FIFOs (the default)
      --no-devices        skip device nodes and FIFOs (reported with one warning)
      --platform string   os/arch[/variant] of a multi-platform image
  -q, --quiet             no progress and no warnings about skipped entries


${REGISTRY_HELP}

Example:
  layerkit unpack oci:images:nginx ./webserver`,
  flags: {
    devices: { type: 'boolean' },
    'no-devices': { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
    ...platformFlag,
    ...registryFlags,
  },
  interruptible: true,
  positionals: { min: 2, max: 2 },
  async run([image, dir], flags, out, interrupted) {
    const result = await unpack(image!, dir!, {
      platform: platformOf(flags),
      devices: devicesOf(flags),
      onProgress: progressOf(out),
      onWarning: (warning) => out.warn(warning),
      registry: registryOptionsOf(flags),
      signal: interrupted,
    });
    if (flags.quiet === true) return;
    // Archives made with `tar -C root .` (GNU tar, umoci) start with a `./` entry for the root:
    // its metadata went to DIR itself (the entry is never applied inside it): not worth a warning.
    const skipped = result.reports
      .flatMap((report) => report.skipped)
      .filter((entry) => entry.reason !== ROOT_ENTRY_SKIPPED);
    for (const warning of skippedWarnings(skipped)) out.warn(warning);
  },
};
