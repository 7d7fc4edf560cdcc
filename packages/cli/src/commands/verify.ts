/** `layerkit verify`: check an image against everything a mainstream client enforces. */
import { describeFinding } from '@layerkit/image';
import { verify } from '@layerkit/image/node';
import type { Command } from '../command.js';
import { platformFlag, platformOf, REGISTRY_HELP, registryFlags, registryOptionsOf } from '../flags.js';
import { progressOf } from '../progress.js';

export const verifyCommand: Command = {
  name: 'verify',
  summary: "Verify an image's blobs, DiffIDs, history and the rules mainstream clients enforce",
  usage: 'layerkit verify [OPTIONS] IMAGE',
  help: `Checks every blob (size, digest), every DiffID and declared compression, the history,
and the rules skopeo, umoci, podman, buildah, containerd, Docker and the registry enforce
(media types, timestamps, RepoTags…; docs/client-rejections.md). Lists every problem found
and exits 1 when any would make a client refuse the image; warnings alone exit 0.

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
    for (const problem of report.problems) out.line(`BAD  ${describeFinding(problem)}`);
    for (const warning of report.warnings) out.warn(describeFinding(warning));
    if (report.ok) {
      out.line(`ok  ${report.manifest}`);
      return;
    }
    throw new Error(report.problems.map((p) => `${p.code}: ${p.message}`).join('; '));
  },
};
