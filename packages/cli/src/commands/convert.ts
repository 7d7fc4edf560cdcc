/** `layerkit convert` and `layerkit tag`: copy an image between formats, or under a new tag. */
import { convert } from '@layerkit/image/node';
import type { Command } from '../command.js';
import { platformFlag, platformOf } from '../flags.js';
import { copyProgress } from '../progress.js';

export const convertCommand: Command = {
  name: 'convert',
  summary: 'Copy an image between oci:, oci-archive: and docker-archive: (digests kept)',
  usage: 'layerkit convert [OPTIONS] SRC DEST',
  help: `Blobs are copied byte for byte (never recompressed), so manifest, config and layer digests survive.

Options:
      --platform string   os/arch[/variant] of a multi-platform source
  -q, --quiet             no progress output

Example:
  layerkit convert oci:images:nginx:v2 docker-archive:nginx-v2.tar:nginx:v2`,
  flags: { quiet: { type: 'boolean', short: 'q' }, ...platformFlag },
  interruptible: true,
  positionals: { min: 2, max: 2 },
  async run([from, to], flags, out, interrupted) {
    const manifest = await convert(from!, to!, platformOf(flags), {
      onProgress: copyProgress(out, interrupted),
    });
    out.line(manifest.digest);
  },
};

export const tagCommand: Command = {
  ...convertCommand,
  name: 'tag',
  summary: 'Tag an image (in the same or another layout); prints the manifest digest',
  usage: 'layerkit tag SRC DEST',
  help: `Options:
      --platform string   os/arch[/variant] of a multi-platform source
  -q, --quiet             no progress output

Example:
  layerkit tag oci:images:nginx:v2 oci:images:nginx:latest`,
};
