/**
 * `layerkit copy` (skopeo's name; `convert` is the same command) and `layerkit tag`: copy an
 * image between any two stores — layouts, archives, registries — or under a new tag.
 */
import { convert } from '@layerkit/image/node';
import type { Command } from '../command.js';
import {
  platformFlag,
  platformOf,
  registrySidesOf,
  SIDED_REGISTRY_HELP,
  sidedRegistryFlags,
} from '../flags.js';
import { progressOf } from '../progress.js';
import { UsageError } from '../usage-error.js';

export const copyCommand: Command = {
  name: 'copy',
  summary: 'Copy an image between oci:, oci-archive:, docker-archive: and docker:// (digests kept)',
  usage: 'layerkit copy [OPTIONS] SRC DEST',
  help: `Blobs are copied byte for byte (never recompressed), so manifest, config and layer digests
survive. Into a registry, blobs it already has are skipped and blobs in another repository of
the same registry are mounted, not sent again.

Options:
  -a, --all               copy a multi-platform image whole: every image and the index
      --platform string   os/arch[/variant] of a multi-platform source
  -q, --quiet             no progress output

${SIDED_REGISTRY_HELP}

Example:
  layerkit copy oci:images:nginx:v2 docker-archive:nginx-v2.tar:nginx:v2
  layerkit copy oci:images:nginx:v2 docker://registry.example.com/nginx:v2`,
  flags: {
    all: { type: 'boolean', short: 'a' },
    quiet: { type: 'boolean', short: 'q' },
    ...platformFlag,
    ...sidedRegistryFlags,
  },
  interruptible: true,
  positionals: { min: 2, max: 2 },
  async run([from, to], flags, out, interrupted) {
    const all = flags.all === true;
    const platform = platformOf(flags);
    if (all && platform !== undefined) throw new UsageError('--all and --platform exclude each other');
    const manifest = await convert(from!, to!, {
      all,
      platform,
      onProgress: progressOf(out),
      onWarning: (warning) => out.warn(warning),
      ...registrySidesOf(flags),
      signal: interrupted,
    });
    out.line(manifest.digest);
  },
};

export const convertCommand: Command = {
  ...copyCommand,
  name: 'convert',
  summary: 'The same as copy',
  usage: 'layerkit convert [OPTIONS] SRC DEST',
  help: copyCommand.help.replaceAll('layerkit copy ', 'layerkit convert '),
};

export const tagCommand: Command = {
  ...copyCommand,
  name: 'tag',
  summary: 'Tag an image (in the same or another store); prints the manifest digest',
  usage: 'layerkit tag [OPTIONS] SRC DEST',
  help: `Options:
  -a, --all               tag a multi-platform image whole (every image and the index)
      --platform string   os/arch[/variant] of a multi-platform source
  -q, --quiet             no progress output

${SIDED_REGISTRY_HELP}

Example:
  layerkit tag oci:images:nginx:v2 oci:images:nginx:latest
  layerkit tag docker://registry.example.com/nginx:v2 docker://registry.example.com/nginx:stable`,
};
