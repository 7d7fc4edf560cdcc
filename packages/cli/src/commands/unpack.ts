/** `layerkit unpack`: an image's root filesystem on disk (what `docker run` starts from). */
import { pathToUtf8, ROOT_ENTRY_SKIPPED } from '@layerkit/image';
import { unpack } from '@layerkit/image/node';
import type { Command } from '../command.js';
import { platformFlag, platformOf, REGISTRY_HELP, registryFlags, registryOptionsOf } from '../flags.js';
import { progressOf } from '../progress.js';

export const unpackCommand: Command = {
  name: 'unpack',
  summary: "Unpack an image's layers into a new root filesystem directory",
  usage: 'layerkit unpack [OPTIONS] IMAGE DIR',
  help: `DIR must not exist. A snapshot of the result is kept beside it (.DIR.layerkit/), so a later
'layerkit diff' or 'layerkit commit' of DIR only stats files instead of reading them.
Hostile layers are refused: nothing is ever written outside DIR.

Options:
      --devices           create device nodes and FIFOs (as root; default: skip and report)
      --platform string   os/arch[/variant] of a multi-platform image
  -q, --quiet             no progress and no warnings about skipped entries


${REGISTRY_HELP}

Example:
  layerkit unpack oci:images:nginx ./webserver`,
  flags: {
    devices: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
    ...platformFlag,
    ...registryFlags,
  },
  interruptible: true,
  positionals: { min: 2, max: 2 },
  async run([image, dir], flags, out, interrupted) {
    const result = await unpack(image!, dir!, {
      platform: platformOf(flags),
      devices: flags.devices === true,
      onProgress: progressOf(out),
      onWarning: (warning) => out.warn(warning),
      registry: registryOptionsOf(flags),
      signal: interrupted,
    });
    if (flags.quiet === true) return;
    // Archives made with `tar -C root .` (GNU tar, umoci) start with a `./` entry for the root:
    // skipping it (the root is never touched) is routine, as in Docker, and not worth a warning.
    const skipped = result.reports
      .flatMap((report) => report.skipped)
      .filter((entry) => entry.reason !== ROOT_ENTRY_SKIPPED);
    for (const { path, reason } of skipped.slice(0, 20)) out.warn(`skipped /${pathToUtf8(path)}: ${reason}`);
    if (skipped.length > 20) out.warn(`… and ${skipped.length - 20} more skipped entries`);
  },
};
