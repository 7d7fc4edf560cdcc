/** `layerkit verify`: check every blob, DiffID and the history mapping of an image. */
import { verify } from '@layerkit/image/node';
import type { Command } from '../command.js';
import { platformFlag, platformOf, REGISTRY_HELP, registryFlags, registryOptionsOf } from '../flags.js';
import { progressOf } from '../progress.js';

export const verifyCommand: Command = {
  name: 'verify',
  summary: "Verify an image's blobs (size, digest), DiffIDs and history",
  usage: 'layerkit verify [OPTIONS] IMAGE',
  help: `Exits 1 and lists every problem when the image is not intact.

Options:
      --platform string    os/arch[/variant] of a multi-platform image
  -q, --quiet              no progress output


${REGISTRY_HELP}

Example:
  layerkit verify oci:images:nginx:v2`,
  flags: { quiet: { type: 'boolean', short: 'q' }, ...platformFlag, ...registryFlags },
  interruptible: true,
  positionals: { min: 1, max: 1 },
  async run([image], flags, out, interrupted) {
    const report = await verify(image!, {
      platform: platformOf(flags),
      registry: registryOptionsOf(flags),
      signal: interrupted,
      onProgress: progressOf(out),
    });
    for (const layer of report.layers) out.line(`${layer.ok ? 'ok' : 'BAD'}  layer ${layer.digest}`);
    if (report.ok) {
      out.line(`ok  ${report.manifest}`);
      return;
    }
    throw new Error(report.problems.map((p) => `${p.code}: ${p.message}`).join('; '));
  },
};
