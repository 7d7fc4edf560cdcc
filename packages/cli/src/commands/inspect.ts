/** `layerkit inspect`: an image's manifest and config as JSON (their exact stored bytes). */
import { inspectImage } from '@layerkit/image/node';
import type { Command } from '../command.js';
import {
  platformFlag,
  platformOf,
  REGISTRY_HELP,
  registryFlags,
  registryOptionsOf,
  stringFlag,
} from '../flags.js';
import { UsageError } from '../usage-error.js';

const decoder = new TextDecoder();

export const inspectCommand: Command = {
  name: 'inspect',
  summary: "Print an image's digest, manifest and config as JSON",
  usage: 'layerkit inspect [OPTIONS] IMAGE',
  help: `Options:
      --type string       summary (default), manifest or config (the exact stored bytes)
      --platform string   os/arch[/variant] of a multi-platform image


${REGISTRY_HELP}

Example:
  layerkit inspect --type config oci:images:nginx:v2`,
  flags: { type: { type: 'string' }, ...platformFlag, ...registryFlags },
  positionals: { min: 1, max: 1 },
  async run([image], flags, out, interrupted) {
    const type = stringFlag(flags, 'type') ?? 'summary';
    if (!['summary', 'manifest', 'config'].includes(type)) {
      throw new UsageError(`invalid --type "${type}": expected summary, manifest or config`);
    }
    const open = { platform: platformOf(flags), registry: registryOptionsOf(flags), signal: interrupted };
    const resolved = await inspectImage(image!, open);
    if (type === 'manifest') return out.line(decoder.decode(resolved.manifest.bytes));
    if (type === 'config') return out.line(decoder.decode(resolved.config.bytes));
    const config = resolved.config.value;
    const summary = {
      Digest: resolved.manifestDescriptor.digest,
      ImageID: resolved.manifest.value.config.digest,
      Created: config.created,
      Author: config.author,
      Architecture: config.architecture,
      Os: config.os,
      Config: config.config ?? {},
      Layers: resolved.manifest.value.layers.map((l) => ({
        MediaType: l.mediaType,
        Digest: l.digest,
        Size: l.size,
      })),
      DiffIDs: config.rootfs.diff_ids,
    };
    out.line(JSON.stringify(summary, null, 2));
  },
};
